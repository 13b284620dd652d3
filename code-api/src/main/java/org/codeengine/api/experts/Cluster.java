package org.codeengine.api.experts;

import java.util.List;
import org.codeengine.api.internal.Checks;

/**
 * Experts who gave the same answer (or, for free text, similar answers).
 *
 * @param answer the answer (for free text, the cluster's most central reply)
 * @param experts the ids of the experts in it; copied
 * @param weight its share of the answering weight, 0 to 1
 */
public record Cluster(String answer, List<String> experts, double weight) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public Cluster {
        Checks.notNull(answer, "answer");
        experts = List.copyOf(Checks.notNull(experts, "experts"));
        Checks.between(weight, 0, 1, "weight");
    }
}
