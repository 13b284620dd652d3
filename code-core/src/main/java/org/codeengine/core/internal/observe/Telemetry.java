package org.codeengine.core.internal.observe;

import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.RequestReplyReceiverContext;
import io.micrometer.observation.transport.RequestReplySenderContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.codeengine.api.spi.CallTracer;
import org.jspecify.annotations.Nullable;

/**
 * The engine's meters and spans. Meters are always recorded; spans only when the host passed an observation registry
 * that is not {@link ObservationRegistry#NOOP}: without one, {@link #span} hands out {@link Observation#NOOP} and costs
 * no allocation, so the hot paths pay nothing for tracing nobody configured.
 */
public final class Telemetry {
    private final MeterRegistry meters;
    private final ObservationRegistry observations;
    private final Duration latencyWindow;

    /**
     * @param meters where meters go
     * @param observations where spans go; {@link ObservationRegistry#NOOP} for none
     */
    public Telemetry(MeterRegistry meters, ObservationRegistry observations) {
        this(meters, observations, Duration.ofMinutes(10));
    }

    /**
     * @param meters where meters go
     * @param observations where spans go; {@link ObservationRegistry#NOOP} for none
     * @param latencyWindow how far back latency timers keep the percentiles thresholds read
     */
    public Telemetry(MeterRegistry meters, ObservationRegistry observations, Duration latencyWindow) {
        this.meters = meters;
        this.observations = observations;
        this.latencyWindow = latencyWindow;
    }

    /** {@return how far back latency timers keep the percentiles thresholds read} */
    public Duration latencyWindow() {
        return latencyWindow;
    }

    /** {@return where meters go} */
    public MeterRegistry meters() {
        return meters;
    }

    /**
     * Starts a span.
     *
     * @param name the span's name, such as {@code code.expert}
     * @param parent its parent, or null for the current observation of this thread (if any)
     * @param tags low-cardinality tags as name, value, name, value…
     * @return the started span, {@link Observation#NOOP} when nothing traces; stop it once the work ends
     */
    public Observation span(String name, @Nullable Observation parent, String... tags) {
        if (observations.isNoop()) {
            return Observation.NOOP;
        }
        return Observation.createNotStarted(name, observations).parentObservation(parentOr(parent))
                .lowCardinalityKeyValues(KeyValues.of(tags)).start();
    }

    /** Ends a span, with the error that ended it if any. */
    public static void end(Observation span, @Nullable Throwable error) {
        if (error != null) {
            span.error(error);
        }
        span.stop();
    }

    /**
     * Records one call on a timer.
     *
     * @param name the timer's name
     * @param nanos how long the call took, in nanoseconds
     * @param tags tags as name, value, name, value…
     */
    public void time(String name, long nanos, String... tags) {
        Timer.builder(name).tags(tags).register(meters).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * {@return a tracer for plugins' calls, to bind to {@link CallTracer#CURRENT}}
     *
     * @param parent the span the tracer's calls are children of, or null for the current observation of the calling
     *        thread
     */
    public CallTracer tracer(@Nullable Observation parent) {
        return new Tracer(parent);
    }

    private @Nullable Observation parentOr(@Nullable Observation parent) {
        if (parent != null && !parent.isNoop()) {
            return parent;
        }
        return observations.getCurrentObservation();
    }

    private final class Tracer implements CallTracer {
        private final @Nullable Observation parent;

        Tracer(@Nullable Observation parent) {
            this.parent = parent;
        }

        @Override
        public Call outgoing(String name, Map<String, String> tags, BiConsumer<String, String> headers) {
            if (observations.isNoop()) {
                return new Measured(name, tags, Observation.NOOP);
            }
            RequestReplySenderContext<BiConsumer<String, String>, Object> context = new RequestReplySenderContext<>(
                    (carrier, key, value) -> {
                        if (carrier != null) {
                            carrier.accept(key, value);
                        }
                    });
            context.setCarrier(headers);
            return new Measured(name, tags, Observation.createNotStarted(name, () -> context, observations)
                    .parentObservation(parentOr(parent)).lowCardinalityKeyValues(keyValues(tags)).start());
        }

        @Override
        public Call incoming(String name, Map<String, String> tags, Function<String, @Nullable String> headers) {
            if (observations.isNoop()) {
                return new Measured(name, tags, Observation.NOOP);
            }
            RequestReplyReceiverContext<Function<String, @Nullable String>, Object> context = new RequestReplyReceiverContext<>(
                    (carrier, key) -> carrier.apply(key));
            context.setCarrier(headers);
            return new Measured(name, tags, Observation.createNotStarted(name, () -> context, observations)
                    .lowCardinalityKeyValues(keyValues(tags)).start());
        }
    }

    private static KeyValues keyValues(Map<String, String> tags) {
        KeyValues all = KeyValues.empty();
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            all = all.and(tag.getKey(), tag.getValue());
        }
        return all;
    }

    /** One plugin call: its span, and the timer it lands on once it ends. */
    private final class Measured implements CallTracer.Call {
        private final String name;
        private final Map<String, String> tags;
        private final Observation span;
        private final long began = System.nanoTime();

        Measured(String name, Map<String, String> tags, Observation span) {
            this.name = name;
            this.tags = Map.copyOf(tags);
            this.span = span;
        }

        @Override
        public <T> T within(Supplier<T> work) {
            return span.isNoop() ? work.get() : span.scoped(work);
        }

        @Override
        public void end(String outcome, @Nullable Throwable error) {
            Tags all = Tags.of("outcome", outcome);
            for (Map.Entry<String, String> tag : tags.entrySet()) {
                all = all.and(tag.getKey(), tag.getValue());
            }
            Timer.builder(name).tags(all).register(meters).record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
            span.lowCardinalityKeyValue("outcome", outcome);
            Telemetry.end(span, error);
        }
    }
}
