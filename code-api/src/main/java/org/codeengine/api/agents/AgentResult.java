package org.codeengine.api.agents;

import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * How an agent run ended.
 *
 * @param runId the run's id
 * @param stopReason why it ended
 * @param detail one sentence saying why, for a person (which budget, which error)
 * @param answer the model's final answer, or {@code null} when it stopped before giving one
 * @param transcript what it said and did, up to where it stopped
 */
public record AgentResult(String runId, StopReason stopReason, String detail, @Nullable String answer,
        Transcript transcript) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field is missing
     */
    public AgentResult {
        Checks.notBlank(runId, "runId");
        Checks.notNull(stopReason, "stopReason");
        Checks.notNull(detail, "detail");
        Checks.notNull(transcript, "transcript");
    }

    /** {@return the final answer, if the model gave one} */
    public Optional<String> finalAnswer() {
        return Optional.ofNullable(answer);
    }
}
