package org.codeengine.api.experts;

import java.time.Duration;
import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * One question for the circle of experts.
 *
 * @param question the question; not blank
 * @param system an instruction added before every expert's own role, or {@code null}
 * @param deadline the longest the whole circle may take; positive
 * @param temperature sampling temperature, 0 to 2
 * @param maxTokens the most tokens each expert may answer with; at least 1
 */
public record Query(String question, @Nullable String system, Duration deadline, double temperature,
        int maxTokens) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public Query {
        Checks.notBlank(question, "question");
        Checks.positive(deadline, "deadline");
        Checks.between(temperature, 0, 2, "temperature");
        Checks.atLeast(maxTokens, 1, "maxTokens");
    }

    /**
     * {@return a query with no system instruction, a 60 second deadline, temperature 0 and 1024 tokens}
     *
     * @param question the question
     */
    public static Query of(String question) {
        return new Query(question, null, Duration.ofSeconds(60), 0, 1024);
    }

    /** {@return the system instruction, if any} */
    public Optional<String> systemPrompt() {
        return Optional.ofNullable(system);
    }
}
