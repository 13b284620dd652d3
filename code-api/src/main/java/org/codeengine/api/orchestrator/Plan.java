package org.codeengine.api.orchestrator;

import java.util.List;
import org.codeengine.api.internal.Checks;

/**
 * The result of a dry run: the order in which a deployment would start its services.
 *
 * @param spec the validated deployment
 * @param phases the services of each phase by name; every service of a phase depends only on earlier phases; copied
 */
public record Plan(DeploymentSpec spec, List<List<String>> phases) {
    public Plan {
        Checks.notNull(spec, "spec");
        phases = Checks.notNull(phases, "phases").stream().map(List::copyOf).toList();
    }
}
