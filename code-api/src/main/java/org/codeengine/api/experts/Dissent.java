package org.codeengine.api.experts;

import java.util.List;
import org.codeengine.api.internal.Checks;

/**
 * An answer other than the chosen one, and who gave it.
 *
 * @param answer the other answer
 * @param experts the ids of the experts who gave it; copied
 * @param weight its share of the total vote, 0 to 1
 */
public record Dissent(String answer, List<String> experts, double weight) {
    /** @throws IllegalArgumentException if a field breaks its rule */
    public Dissent {
        Checks.notNull(answer, "answer");
        experts = List.copyOf(Checks.notNull(experts, "experts"));
        Checks.between(weight, 0, 1, "weight");
    }
}
