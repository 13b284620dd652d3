package org.codeengine.api.orchestrator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * One service of a deployment.
 *
 * <p>Executor and health-check settings may hold placeholders that the orchestrator fills in for each instance:
 * {@code ${port}} (a free loopback port chosen for the instance and kept in its record), {@code ${instance}} (0, 1,
 * ...), {@code ${slot}} ({@code blue} or {@code green}), {@code ${service}} and {@code ${run}}.
 *
 * @param name unique within the deployment; lower case, digits, '.', '_' or '-'
 * @param dependsOn names of services that must be healthy before this one starts; copied
 * @param resources what one instance needs while it runs
 * @param executor the name of the {@link org.codeengine.api.spi.StepExecutor} plugin that starts it
 * @param settings the executor's settings (command, image, environment, ...); copied
 * @param healthCheck how to tell an instance is healthy, or {@code null} to count it healthy once started
 * @param retry how a failed start is retried
 * @param timeout the longest one try may take, health checks included; positive
 * @param rollout how a new version replaces the one from the deployment's last successful run
 * @param instances how many copies to run; at least 1
 */
public record ServiceSpec(String name, Set<String> dependsOn, Resources resources, String executor,
        Map<String, String> settings, @Nullable HealthCheckSpec healthCheck, RetryPolicy retry, Duration timeout,
        Rollout rollout, int instances) {
    /** The timeout a builder uses unless told otherwise: one minute. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(1);

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule, or the service depends on itself
     */
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
        Checks.atLeast(instances, 1, "instances");
    }

    /** {@return the health check, if the service has one} */
    public Optional<HealthCheckSpec> health() {
        return Optional.ofNullable(healthCheck);
    }

    /**
     * Starts a service spec with the defaults: no dependencies, no resources, no settings, no health check, one try,
     * a one-minute timeout, all at once, one instance.
     *
     * @param name the service's name
     * @param executor the executor plugin's name
     * @return a builder
     */
    public static Builder builder(String name, String executor) {
        return new Builder(name, executor);
    }

    /** Collects a service spec's fields; {@link #build()} checks them. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final String executor;
        private final Set<String> dependsOn = new LinkedHashSet<>();
        private Resources resources = Resources.NONE;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private @Nullable HealthCheckSpec healthCheck;
        private RetryPolicy retry = RetryPolicy.NONE;
        private Duration timeout = DEFAULT_TIMEOUT;
        private Rollout rollout = Rollout.ALL_AT_ONCE;
        private int instances = 1;

        private Builder(String name, String executor) {
            this.name = name;
            this.executor = executor;
        }

        /**
         * {@return this builder}
         *
         * @param services services that must be healthy first
         */
        public Builder dependsOn(String... services) {
            dependsOn.addAll(List.of(services));
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param value what one instance needs
         */
        public Builder resources(Resources value) {
            this.resources = value;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param key an executor setting's name
         * @param value its value
         */
        public Builder setting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param value the health check
         */
        public Builder healthCheck(HealthCheckSpec value) {
            this.healthCheck = value;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param value the retry policy
         */
        public Builder retry(RetryPolicy value) {
            this.retry = value;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param value the longest one try may take
         */
        public Builder timeout(Duration value) {
            this.timeout = value;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param value the rollout strategy
         */
        public Builder rollout(Rollout value) {
            this.rollout = value;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param value how many copies to run
         */
        public Builder instances(int value) {
            this.instances = value;
            return this;
        }

        /**
         * {@return the service spec}
         *
         * @throws IllegalArgumentException if a field breaks its rule
         */
        public ServiceSpec build() {
            return new ServiceSpec(name, dependsOn, resources, executor, settings, healthCheck, retry, timeout,
                    rollout, instances);
        }
    }
}
