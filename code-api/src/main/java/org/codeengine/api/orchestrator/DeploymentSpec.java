package org.codeengine.api.orchestrator;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.codeengine.api.internal.Checks;

/**
 * A plan of services to deploy together into one environment.
 *
 * @param name the deployment's name
 * @param environment where it goes, e.g. {@code dev} or {@code prod}; the permission checked is
 *        {@code deploy:run:<environment>}
 * @param services the services; names unique; copied
 * @param maxParallelism the most services started at once; at least 1
 * @param capacity the resources all running services may use together
 */
public record DeploymentSpec(String name, String environment, List<ServiceSpec> services, int maxParallelism,
        Resources capacity) {
    /** @throws IllegalArgumentException if a field breaks its rule or two services share a name */
    public DeploymentSpec {
        Checks.name(name, "name");
        Checks.name(environment, "environment");
        services = List.copyOf(Checks.notNull(services, "services"));
        if (services.isEmpty()) {
            throw new IllegalArgumentException("services must not be empty");
        }
        Set<String> seen = new HashSet<>();
        for (ServiceSpec service : services) {
            if (!seen.add(service.name())) {
                throw new IllegalArgumentException("services must have unique names; '" + service.name()
                        + "' appears twice");
            }
        }
        Checks.atLeast(maxParallelism, 1, "maxParallelism");
        Checks.notNull(capacity, "capacity");
    }
}
