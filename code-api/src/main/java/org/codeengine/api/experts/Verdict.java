package org.codeengine.api.experts;

import java.util.List;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * What a consensus strategy decided.
 *
 * @param answer the chosen answer, or {@code null} when no expert gave one
 * @param confidence the strategy's estimate that it is right, 0 to 1
 * @param clusters the answers with their experts, the chosen one first; copied
 * @param rationale why the strategy chose it, in a sentence a person can check (which rule, on what record), or
 *        {@code null} when the strategy gives none
 */
public record Verdict(@Nullable String answer, double confidence, List<Cluster> clusters, @Nullable String rationale) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public Verdict {
        Checks.between(confidence, 0, 1, "confidence");
        clusters = List.copyOf(Checks.notNull(clusters, "clusters"));
    }

    /**
     * A verdict with no rationale.
     *
     * @param answer the chosen answer, or {@code null} when no expert gave one
     * @param confidence the strategy's estimate that it is right, 0 to 1
     * @param clusters the answers with their experts, the chosen one first; copied
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public Verdict(@Nullable String answer, double confidence, List<Cluster> clusters) {
        this(answer, confidence, clusters, null);
    }
}
