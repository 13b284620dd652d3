package org.codeengine.api.orchestrator;

import java.time.Duration;
import java.util.Map;
import org.codeengine.api.internal.Checks;

/**
 * How to tell that a started service is healthy.
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
    /** @throws IllegalArgumentException if a name, duration or threshold breaks its rule */
    public HealthCheckSpec {
        Checks.name(probe, "probe");
        settings = Map.copyOf(Checks.notNull(settings, "settings"));
        Checks.notNegative(initialDelay, "initialDelay");
        Checks.positive(interval, "interval");
        Checks.positive(timeout, "timeout");
        Checks.atLeast(successThreshold, 1, "successThreshold");
        Checks.atLeast(failureThreshold, 1, "failureThreshold");
    }
}
