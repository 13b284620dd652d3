package org.codeengine.api.orchestrator;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.codeengine.api.internal.Checks;

/**
 * A plan of services to deploy together into one environment.
 *
 * @param name the deployment's name; a later run of the same name and environment replaces the services of the last
 *        successful one (see {@link Rollout})
 * @param environment where it goes, e.g. {@code dev} or {@code prod}; the permissions checked are
 *        {@code deploy:<action>:<environment>}
 * @param services the services; names unique; copied
 * @param maxParallelism the most services started at once; at least 1
 * @param capacity the resources that services being started at the same time may ask for together; a phase of the
 *        plan never asks for more, and a service asking for more on its own is an error
 */
public record DeploymentSpec(String name, String environment, List<ServiceSpec> services, int maxParallelism,
        Resources capacity) {
    /** The parallelism {@link #of} uses. */
    public static final int DEFAULT_PARALLELISM = 16;

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule or two services share a name
     */
    public DeploymentSpec {
        Checks.name(name, "name");
        Checks.name(environment, "environment");
        services = List.copyOf(Checks.notNull(services, "services"));
        if (services.isEmpty()) {
            throw new IllegalArgumentException("services must not be empty");
        }
        Set<String> seen = HashSet.newHashSet(services.size());
        for (ServiceSpec service : services) {
            if (!seen.add(service.name())) {
                throw new IllegalArgumentException("services must have unique names; '" + service.name()
                        + "' appears twice");
            }
        }
        Checks.atLeast(maxParallelism, 1, "maxParallelism");
        Checks.notNull(capacity, "capacity");
    }

    /**
     * {@return a deployment that starts up to {@value #DEFAULT_PARALLELISM} services at once with unlimited capacity}
     *
     * @param name the deployment's name
     * @param environment where it goes
     * @param services the services
     */
    public static DeploymentSpec of(String name, String environment, List<ServiceSpec> services) {
        return new DeploymentSpec(name, environment, services, DEFAULT_PARALLELISM, Resources.UNLIMITED);
    }
}
