package org.codeengine.core.internal.orchestrator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.ProbeResult;
import org.codeengine.core.internal.observe.Telemetry;
import org.jspecify.annotations.Nullable;

/**
 * The orchestrator's meters and spans: step durations by executor and outcome, retries, failures, probes, runs
 * active and ended; a span per run, per step and per health probe.
 */
final class Metrics {
    private final Telemetry telemetry;
    private final MeterRegistry registry;
    private final AtomicInteger active;

    /**
     * @param executors the executors' names: their step meters are registered at once, so a dashboard sees zeros, not
     *        gaps, before the first failure or retry
     */
    Metrics(Telemetry telemetry, Set<String> executors) {
        this.telemetry = telemetry;
        this.registry = telemetry.meters();
        this.active = new AtomicInteger();
        Gauge.builder("code.orchestrator.runs.active", active, AtomicInteger::get)
                .description("runs this engine is working on").register(registry);
        for (String executor : executors) {
            stepTimer(executor, true);
            stepTimer(executor, false);
            failures(executor);
            retries(executor);
        }
    }

    private Timer stepTimer(String executor, boolean healthy) {
        return Timer.builder("code.orchestrator.step").description("time from a step's first start to healthy or "
                + "failed").tag("executor", executor).tag("outcome", healthy ? "healthy" : "failed").register(
                        registry);
    }

    private Counter failures(String executor) {
        return Counter.builder("code.orchestrator.step.failures").tag("executor", executor).register(registry);
    }

    private Counter retries(String executor) {
        return Counter.builder("code.orchestrator.step.retries").tag("executor", executor).register(registry);
    }

    /** {@return the span of a run this engine starts working on; ended by {@link #deployEnded}} */
    Observation runSpan(String runId, String deployment) {
        return telemetry.span("code.deploy", null, "deployment", deployment).highCardinalityKeyValue("run", runId);
    }

    /**
     * Counts a deploy's outcome ({@code code.orchestrator.deploys}) and ends its span.
     *
     * @param state the state the deploy ended in; null when this engine left it unended, or the handle did not deploy
     *        (a rollback asked for after the run ended)
     */
    void deployEnded(Observation span, @Nullable RunState state, @Nullable Throwable failure) {
        if (state != null) {
            String name = state.name().toLowerCase(Locale.ROOT);
            Counter.builder("code.orchestrator.deploys").description("deploys (and resumed deploys) by the state "
                    + "they ended in").tag("state", name).register(registry).increment();
            span.lowCardinalityKeyValue("state", name);
        }
        Telemetry.end(span, failure);
    }

    /** {@return the span of one step of a run, a child of the run's} */
    Observation stepSpan(Observation run, String service, String executor) {
        return telemetry.span("code.step", run, "executor", executor).highCardinalityKeyValue("service", service);
    }

    /** {@return the probe, measured: each probe it makes is timed and, under tracing, a child span of {@code step}} */
    HealthProbe measured(HealthProbe probe, Observation step) {
        return new HealthProbe() {
            @Override
            public String name() {
                return probe.name();
            }

            @Override
            public String apiVersion() {
                return probe.apiVersion();
            }

            @Override
            public ProbeResult probe(Map<String, String> settings, Duration timeout) {
                Observation span = telemetry.span("code.probe", step, "probe", probe.name());
                long began = System.nanoTime();
                ProbeResult result;
                try {
                    result = probe.probe(settings, timeout);
                } catch (RuntimeException | Error e) {
                    telemetry.time("code.orchestrator.probes", System.nanoTime() - began, "probe", probe.name(),
                            "outcome", "error");
                    Telemetry.end(span, e);
                    throw e;
                }
                String outcome = result.healthy() ? "healthy" : "unhealthy";
                telemetry.time("code.orchestrator.probes", System.nanoTime() - began, "probe", probe.name(),
                        "outcome", outcome);
                span.lowCardinalityKeyValue("outcome", outcome);
                Telemetry.end(span, null);
                return result;
            }

            @Override
            public void validate(Map<String, String> settings) {
                probe.validate(settings);
            }
        };
    }

    void stepEnded(String executor, boolean healthy, long nanos) {
        stepTimer(executor, healthy).record(nanos, TimeUnit.NANOSECONDS);
        if (!healthy) {
            failures(executor).increment();
        }
    }

    void retried(String executor) {
        retries(executor).increment();
    }

    void runStarted() {
        active.incrementAndGet();
    }

    void runEnded(RunState state) {
        active.decrementAndGet();
        Counter.builder("code.orchestrator.runs").tag("state", state.name().toLowerCase(Locale.ROOT))
                .register(registry).increment();
    }

    /** A run this engine stopped working on without ending it (taken over, or the engine closed). */
    void runLeft() {
        active.decrementAndGet();
    }
}
