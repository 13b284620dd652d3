package org.codeengine.api.orchestrator;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * One service of a deployment.
 *
 * @param name unique within the deployment; lower case, digits, '.', '_' or '-'
 * @param dependsOn names of services that must be healthy before this one starts; copied
 * @param resources what it needs while it runs
 * @param executor the name of the {@link org.codeengine.api.spi.StepExecutor} plugin that starts it
 * @param settings the executor's settings (command, image, environment, ...); copied
 * @param healthCheck how to tell it is healthy, or {@code null} to count it healthy once started
 * @param retry how a failed start is retried
 * @param timeout the longest a start may take, health checks included; positive
 * @param rollout how a new version replaces the old one
 */
public record ServiceSpec(String name, Set<String> dependsOn, Resources resources, String executor,
        Map<String, String> settings, @Nullable HealthCheckSpec healthCheck, RetryPolicy retry, Duration timeout,
        Rollout rollout) {
    /** @throws IllegalArgumentException if a field breaks its rule, or the service depends on itself */
    public ServiceSpec {
        Checks.name(name, "name");
        dependsOn = Set.copyOf(Checks.notNull(dependsOn, "dependsOn"));
        dependsOn.forEach(d -> Checks.name(d, "dependsOn"));
        if (dependsOn.contains(name)) {
            throw new IllegalArgumentException("dependsOn of '" + name + "' must not name the service itself");
        }
        Checks.notNull(resources, "resources");
        Checks.name(executor, "executor");
        settings = Map.copyOf(Checks.notNull(settings, "settings"));
        Checks.notNull(retry, "retry");
        Checks.positive(timeout, "timeout");
        Checks.notNull(rollout, "rollout");
    }

    /** @return the health check, if the service has one */
    public Optional<HealthCheckSpec> health() {
        return Optional.ofNullable(healthCheck);
    }
}
