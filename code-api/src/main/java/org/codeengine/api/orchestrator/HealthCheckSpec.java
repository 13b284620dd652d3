package org.codeengine.api.orchestrator;

import java.time.Duration;
import java.util.Map;
import org.codeengine.api.internal.Checks;

/**
 * How to tell that a started service is healthy. The orchestrator probes every {@code interval} after
 * {@code initialDelay}; {@code successThreshold} consecutive successes make the instance healthy, and
 * {@code failureThreshold} consecutive failures (or the step's timeout) fail the try.
 *
 * @param probe the name of the {@link org.codeengine.api.spi.HealthProbe} plugin: {@code http}, {@code tcp},
 *        {@code command}, ...
 * @param settings the probe's settings, such as {@code url} or {@code port}; copied
 * @param initialDelay wait before the first probe
 * @param interval time between probes; positive
 * @param timeout how long one probe may take; positive
 * @param successThreshold consecutive successes that make the service healthy; at least 1
 * @param failureThreshold consecutive failures that make it unhealthy; at least 1
 */
public record HealthCheckSpec(String probe, Map<String, String> settings, Duration initialDelay, Duration interval,
        Duration timeout, int successThreshold, int failureThreshold) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a name, duration or threshold breaks its rule
     */
    public HealthCheckSpec {
        Checks.name(probe, "probe");
        settings = Map.copyOf(Checks.notNull(settings, "settings"));
        Checks.notNegative(initialDelay, "initialDelay");
        Checks.positive(interval, "interval");
        Checks.positive(timeout, "timeout");
        Checks.atLeast(successThreshold, 1, "successThreshold");
        Checks.atLeast(failureThreshold, 1, "failureThreshold");
    }

    /** Time between probes that the factories use: a quarter of a second. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(250);
    /** How long one probe may take in the factories: two seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Consecutive failures that fail a check made by the factories: 40, ten seconds at the default interval. */
    public static final int DEFAULT_FAILURE_THRESHOLD = 40;

    /**
     * {@return a check with no initial delay, the default interval and timeout, one success to pass and
     *         {@value #DEFAULT_FAILURE_THRESHOLD} consecutive failures to fail}
     *
     * @param probe the probe plugin's name
     * @param settings its settings
     */
    public static HealthCheckSpec of(String probe, Map<String, String> settings) {
        return new HealthCheckSpec(probe, settings, Duration.ZERO, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, 1,
                DEFAULT_FAILURE_THRESHOLD);
    }

    /**
     * {@return an HTTP check with the defaults of {@link #of}}
     *
     * @param url the address to GET; healthy when it answers 2xx or 3xx
     */
    public static HealthCheckSpec http(String url) {
        return of("http", Map.of("url", url));
    }

    /**
     * {@return this check with the given timing}
     *
     * @param delay the new initial delay
     * @param interval the new interval
     * @param failureThreshold the new failure threshold
     */
    public HealthCheckSpec withTiming(Duration delay, Duration interval, int failureThreshold) {
        return new HealthCheckSpec(probe, settings, delay, interval, timeout, successThreshold, failureThreshold);
    }
}
