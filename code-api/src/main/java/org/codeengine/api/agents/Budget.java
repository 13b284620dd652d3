package org.codeengine.api.agents;

import java.time.Duration;
import org.codeengine.api.internal.Checks;

/**
 * How far an agent may go before it is stopped, with the partial transcript kept.
 *
 * @param steps the most model turns; at least 1
 * @param tokens the most tokens, input and output of every turn together; at least 1
 * @param costUsd the most it may spend, in US dollars, at the brain's prices; not negative
 * @param wallTime the longest the run may take from its start, time spent dead between a crash and its resume
 *        excluded; positive
 * @param malformedCalls the most malformed tool calls (unknown tool, arguments failing the schema, arguments that are
 *        not JSON) answered as errors the model can correct; the next one stops the run; not negative
 */
public record Budget(int steps, long tokens, double costUsd, Duration wallTime, int malformedCalls) {
    /** 20 turns, 200,000 tokens, 5 dollars, 10 minutes, 5 malformed calls. */
    public static final Budget DEFAULT = new Budget(20, 200_000, 5.0, Duration.ofMinutes(10), 5);

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule, naming it
     */
    public Budget {
        Checks.atLeast(steps, 1, "steps");
        Checks.atLeast(tokens, 1, "tokens");
        Checks.between(costUsd, 0, 1e9, "costUsd");
        Checks.positive(wallTime, "wallTime");
        Checks.atLeast(malformedCalls, 0, "malformedCalls");
    }
}
