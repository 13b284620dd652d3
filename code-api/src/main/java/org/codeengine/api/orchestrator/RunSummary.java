package org.codeengine.api.orchestrator;

import java.time.Instant;
import java.util.List;
import org.codeengine.api.internal.Checks;

/**
 * A run as the store keeps it: for history, status displays and tools.
 *
 * @param runId the run's id
 * @param name the deployment's name
 * @param environment the deployment's environment
 * @param state where the run stands
 * @param createdAt when it was accepted
 * @param updatedAt when its state last changed
 * @param steps its steps in plan order; empty in lists of many runs; copied
 */
public record RunSummary(String runId, String name, String environment, RunState state, Instant createdAt,
        Instant updatedAt, List<StepRecord> steps) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field is missing
     */
    public RunSummary {
        Checks.notBlank(runId, "runId");
        Checks.notBlank(name, "name");
        Checks.notBlank(environment, "environment");
        Checks.notNull(state, "state");
        Checks.notNull(createdAt, "createdAt");
        Checks.notNull(updatedAt, "updatedAt");
        steps = List.copyOf(Checks.notNull(steps, "steps"));
    }
}
