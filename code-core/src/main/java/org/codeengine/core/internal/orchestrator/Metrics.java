package org.codeengine.core.internal.orchestrator;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.codeengine.api.orchestrator.RunState;

/** The orchestrator's meters: step durations by executor and outcome, retries, failures, runs active and ended. */
final class Metrics {
    private final MeterRegistry registry;
    private final AtomicInteger active;

    Metrics(MeterRegistry registry) {
        this.registry = registry;
        this.active = new AtomicInteger();
        Gauge.builder("code.orchestrator.runs.active", active, AtomicInteger::get)
                .description("runs this engine is working on").register(registry);
    }

    void stepEnded(String executor, boolean healthy, long nanos) {
        Timer.builder("code.orchestrator.step").description("time from a step's first start to healthy or failed")
                .tag("executor", executor).tag("outcome", healthy ? "healthy" : "failed").register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
        if (!healthy) {
            Counter.builder("code.orchestrator.step.failures").tag("executor", executor).register(registry)
                    .increment();
        }
    }

    void retried(String executor) {
        Counter.builder("code.orchestrator.step.retries").tag("executor", executor).register(registry).increment();
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
