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
 */
public record Verdict(@Nullable String answer, double confidence, List<Cluster> clusters) {
    /** @throws IllegalArgumentException if a field breaks its rule */
    public Verdict {
        Checks.between(confidence, 0, 1, "confidence");
        clusters = List.copyOf(Checks.notNull(clusters, "clusters"));
    }
}
