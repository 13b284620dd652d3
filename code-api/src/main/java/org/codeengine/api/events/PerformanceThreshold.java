package org.codeengine.api.events;

import java.time.Duration;
import java.util.List;
import org.codeengine.api.internal.Checks;

/**
 * An SLO-style limit on one of CODE's meters, checked over a sliding window. When the measure goes above the limit
 * (with at least {@code minimumCount} calls in the window) the engine emits one
 * {@link CloudEvent#PERFORMANCE_THRESHOLD_EXCEEDED} event through its event bus; it emits again only after the measure
 * has come back to the limit or below.
 *
 * @param name the threshold's name: lower case letters, digits, '.', '_' or '-', as in {@code deploy-failures}
 * @param measure what is measured
 * @param limit the most the measure may be: a fraction from 0 to 1 for a rate, seconds for a latency
 * @param window how far back the measure looks; positive
 * @param minimumCount the fewest calls (runs, requests, answers) in the window for the measure to count; at least 1
 */
public record PerformanceThreshold(String name, Measure measure, double limit, Duration window, long minimumCount) {
    /** What a threshold measures. */
    public enum Measure {
        /**
         * Of the deploys that ended in the window ({@code code.orchestrator.deploys}), the fraction that failed or were
         * rolled back; a rollback asked for after a run ended is no deploy and does not count.
         */
        DEPLOY_FAILURE_RATE,
        /**
         * Per expert, the 99th percentile of the time its answers took ({@code code.expert.calls}, answered) over the
         * window, in seconds.
         */
        EXPERT_LATENCY_P99,
        /**
         * Of the HTTP requests to LLM providers in the window ({@code code.provider.http.requests}), the fraction that
         * did not succeed (an error status, a rate limit, a timeout, a network error).
         */
        PROVIDER_ERROR_RATE
    }

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if the name is not a valid name, the measure or window is missing, the window
     *         is not positive, a rate's limit is outside 0 to 1, a latency's limit is not positive, or minimumCount is
     *         below 1
     */
    public PerformanceThreshold {
        Checks.name(name, "name");
        Checks.notNull(measure, "measure");
        Checks.positive(window, "window");
        Checks.atLeast(minimumCount, 1, "minimumCount");
        if (measure == Measure.EXPERT_LATENCY_P99) {
            if (!(limit > 0) || Double.isInfinite(limit)) {
                throw new IllegalArgumentException("limit must be a positive number of seconds for " + measure
                        + " but was " + limit);
            }
        } else {
            Checks.between(limit, 0, 1, "limit");
        }
    }

    /**
     * {@return the thresholds an engine checks unless told otherwise: more than 20% of deploys failing over 1 hour
     *         (at least 5 runs), an expert's p99 latency above 30 s over 10 minutes (at least 20 answers), more than
     *         10% of provider requests failing over 10 minutes (at least 20 requests)}
     */
    public static List<PerformanceThreshold> defaults() {
        return List.of(new PerformanceThreshold("deploy-failure-rate", Measure.DEPLOY_FAILURE_RATE, 0.2, Duration
                .ofHours(1), 5), new PerformanceThreshold("expert-latency-p99", Measure.EXPERT_LATENCY_P99, 30,
                        Duration.ofMinutes(10), 20),
                new PerformanceThreshold("provider-error-rate",
                        Measure.PROVIDER_ERROR_RATE, 0.1, Duration.ofMinutes(10), 20));
    }
}
