package org.codeengine.api.orchestrator;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * The durable record of one step, as the store keeps it: enough for its executor to undo it after a restart.
 *
 * @param runId the run it belongs to
 * @param service the service's name
 * @param state where it stands
 * @param attempt tries made so far
 * @param startedAt when the first try started, or {@code null}
 * @param finishedAt when it reached its last state, or {@code null}
 * @param outputs what the executor recorded to undo it later (a process id, a container id); copied
 * @param error the last error message, or {@code null}
 */
public record StepRecord(String runId, String service, StepState state, int attempt, @Nullable Instant startedAt,
        @Nullable Instant finishedAt, Map<String, String> outputs, @Nullable String error) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public StepRecord {
        Checks.notBlank(runId, "runId");
        Checks.name(service, "service");
        Checks.notNull(state, "state");
        Checks.atLeast(attempt, 0, "attempt");
        outputs = Map.copyOf(Checks.notNull(outputs, "outputs"));
    }

    /** {@return the last error message, if any} */
    public Optional<String> lastError() {
        return Optional.ofNullable(error);
    }
}
