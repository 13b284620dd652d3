package org.codeengine.core.internal.observe;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.events.PerformanceThreshold;
import org.codeengine.api.events.PerformanceThreshold.Measure;

/**
 * Checks {@link PerformanceThreshold}s against the engine's meters. Rates come from cumulative counts: each check
 * reads them, and the change since the newest reading at least a window old (or the first reading) is the window's.
 * A threshold fires once when its measure goes above the limit and again only after it came back.
 */
public final class ThresholdWatch {
    /** The percentile {@link Measure#EXPERT_LATENCY_P99} reads; the expert timers publish it. */
    public static final double P99 = 0.99;
    private static final Set<String> FAILED_RUNS = Set.of("failed", "rolled_back");

    private final MeterRegistry meters;
    private final List<PerformanceThreshold> thresholds;
    private final Clock clock;
    private final String source;
    private final Consumer<CloudEvent> emit;
    private final Map<String, Counter> exceeded = new HashMap<>();
    private final Map<String, Deque<Reading>> readings = new HashMap<>();
    private final Set<String> firing = new HashSet<>();

    /** Cumulative counts at one instant: the calls that went wrong (or were measured), and all of them. */
    private record Reading(Instant at, double bad, double total) {}

    /**
     * @param meters the engine's meters
     * @param thresholds what to check
     * @param clock the engine's clock
     * @param source the CloudEvent source of the events
     * @param emit publishes an event (through the outbox, so it reaches every subscriber)
     */
    public ThresholdWatch(MeterRegistry meters, List<PerformanceThreshold> thresholds, Clock clock, String source,
            Consumer<CloudEvent> emit) {
        this.meters = meters;
        this.thresholds = List.copyOf(thresholds);
        this.clock = clock;
        this.source = source;
        this.emit = emit;
        for (PerformanceThreshold t : this.thresholds) {
            exceeded.put(t.name(), Counter.builder("code.alerts.exceeded").description(
                    "times a performance threshold was crossed").tag("threshold", t.name()).register(meters));
        }
        check(); // the first readings: the windows start now
    }

    /** {@return the longest window of a latency threshold: how far back the expert timers keep their percentiles} */
    public static Duration latencyWindow(List<PerformanceThreshold> thresholds) {
        return thresholds.stream().filter(t -> t.measure() == Measure.EXPERT_LATENCY_P99).map(
                PerformanceThreshold::window).max(Duration::compareTo).orElse(Duration.ofMinutes(10));
    }

    /**
     * Checks every threshold now.
     *
     * @return the events it emitted: one per threshold that went above its limit since the last check
     */
    public synchronized List<CloudEvent> check() {
        Instant now = clock.instant();
        List<CloudEvent> fired = new ArrayList<>();
        for (PerformanceThreshold t : thresholds) {
            switch (t.measure()) {
                case DEPLOY_FAILURE_RATE -> rate(t, now, "code.orchestrator.deploys", m -> FAILED_RUNS.contains(m
                        .getId().getTag("state")), fired);
                case PROVIDER_ERROR_RATE -> rate(t, now, "code.provider.http.requests", m -> !"success".equals(m
                        .getId().getTag("outcome")), fired);
                case EXPERT_LATENCY_P99 -> latency(t, now, fired);
            }
        }
        return fired;
    }

    private void rate(PerformanceThreshold t, Instant now, String meter, Predicate<Meter> bad,
            List<CloudEvent> fired) {
        double wrong = 0;
        double all = 0;
        for (Meter m : meters.find(meter).meters()) {
            double count = m instanceof Counter c ? c.count() : m instanceof Timer timer ? timer.count() : 0;
            all += count;
            if (bad.test(m)) {
                wrong += count;
            }
        }
        Reading since = windowStart(t.name(), new Reading(now, wrong, all), t.window());
        double calls = all - since.total();
        double value = calls == 0 ? 0 : (wrong - since.bad()) / calls;
        judge(t, t.name(), t.name(), value, calls, fired);
    }

    private void latency(PerformanceThreshold t, Instant now, List<CloudEvent> fired) {
        for (Timer timer : meters.find("code.expert.calls").tag("outcome", "answered").timers()) {
            String expert = timer.getId().getTag("expert");
            if (expert == null) {
                continue;
            }
            double p99 = 0;
            for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
                if (v.percentile() == P99) {
                    p99 = v.value(TimeUnit.SECONDS);
                }
            }
            String key = t.name() + "/" + expert;
            Reading since = windowStart(key, new Reading(now, 0, timer.count()), t.window());
            judge(t, key, expert, p99, timer.count() - since.total(), fired);
        }
    }

    /** Records a reading and @return the one the window starts from: the newest at least a window old, or the first. */
    private Reading windowStart(String key, Reading now, Duration window) {
        Deque<Reading> kept = readings.computeIfAbsent(key, k -> new ArrayDeque<>());
        kept.addLast(now);
        Instant start = now.at().minus(window);
        while (kept.size() > 1) {
            Reading first = kept.pollFirst();
            Reading second = kept.peekFirst();
            if (second == null || second.at().isAfter(start)) {
                kept.addFirst(first);
                break;
            }
        }
        return kept.peekFirst();
    }

    private void judge(PerformanceThreshold t, String key, String subject, double value, double calls,
            List<CloudEvent> fired) {
        boolean above = calls >= t.minimumCount() && value > t.limit();
        if (!above) {
            firing.remove(key);
            return;
        }
        if (!firing.add(key)) {
            return; // still above: it fired when it crossed
        }
        CloudEvent event = new CloudEvent(UUID.randomUUID().toString(), source,
                CloudEvent.PERFORMANCE_THRESHOLD_EXCEEDED, subject, clock.instant(), Map.of("threshold", t.name(),
                        "measure", t.measure().name().toLowerCase(java.util.Locale.ROOT), "value", Double.toString(
                                value),
                        "limit", Double.toString(t.limit()), "window", t.window().toString(),
                        "count", Long.toString((long) calls)));
        exceeded.get(t.name()).increment();
        emit.accept(event);
        fired.add(event);
    }
}
