package org.codeengine.api.experts;

import java.util.List;
import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * What the circle of experts concluded, with the numbers to defend it.
 *
 * @param answer the chosen answer, or {@code null} when no expert gave one
 * @param strategy the name of the consensus strategy that chose it
 * @param agreement the share of answering experts that gave the chosen answer, 0 to 1
 * @param confidence the strategy's estimate that the chosen answer is right, 0 to 1
 * @param dissent the other answers, largest first; copied
 * @param answers every expert's answer or failure; copied
 * @param usage the tokens of all experts together
 * @param cached whether the result came from the cache
 */
public record ConsensusResult(@Nullable String answer, String strategy, double agreement, double confidence,
        List<Dissent> dissent, List<ExpertAnswer> answers, Usage usage, boolean cached) {
    /** @throws IllegalArgumentException if a field breaks its rule */
    public ConsensusResult {
        Checks.notBlank(strategy, "strategy");
        Checks.between(agreement, 0, 1, "agreement");
        Checks.between(confidence, 0, 1, "confidence");
        dissent = List.copyOf(Checks.notNull(dissent, "dissent"));
        answers = List.copyOf(Checks.notNull(answers, "answers"));
        Checks.notNull(usage, "usage");
    }

    /** @return the chosen answer, if any expert gave one */
    public Optional<String> chosen() {
        return Optional.ofNullable(answer);
    }
}
