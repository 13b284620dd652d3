package org.codeengine.api.orchestrator;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.codeengine.api.internal.Checks;

/**
 * The result of a dry run: the order in which a deployment would start its services.
 *
 * @param spec the validated deployment
 * @param phases the services of each phase by name; every service of a phase depends only on earlier phases, a phase
 *        holds at most {@code maxParallelism} services and asks for no more than {@code capacity}; copied
 */
public record Plan(DeploymentSpec spec, List<List<String>> phases) {
    /** Checks that the components are present and copies the phases. */
    public Plan {
        Checks.notNull(spec, "spec");
        phases = Checks.notNull(phases, "phases").stream().map(List::copyOf).toList();
    }

    /**
     * {@return the plan as lines of text: a header, then one line per phase naming its services with their executor
     *         and dependencies}
     */
    public String describe() {
        Map<String, ServiceSpec> byName = new HashMap<>();
        spec.services().forEach(s -> byName.put(s.name(), s));
        StringBuilder text = new StringBuilder();
        text.append("deployment ").append(spec.name()).append(" to ").append(spec.environment()).append(": ")
                .append(spec.services().size()).append(" services in ").append(phases.size()).append(" phases\n");
        for (int i = 0; i < phases.size(); i++) {
            text.append("phase ").append(i + 1).append(':');
            for (String name : phases.get(i)) {
                ServiceSpec service = byName.get(name);
                text.append(' ').append(name).append(" [").append(service.executor());
                if (service.instances() > 1) {
                    text.append(" x").append(service.instances());
                }
                if (service.rollout() != Rollout.ALL_AT_ONCE) {
                    text.append(", ").append(service.rollout().name().toLowerCase(Locale.ROOT));
                }
                if (!service.dependsOn().isEmpty()) {
                    text.append(", after ").append(String.join(",", service.dependsOn().stream().sorted().toList()));
                }
                text.append(']');
            }
            text.append('\n');
        }
        return text.toString();
    }
}
