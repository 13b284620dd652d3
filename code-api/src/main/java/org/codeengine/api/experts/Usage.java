package org.codeengine.api.experts;

import org.codeengine.api.internal.Checks;

/**
 * Tokens one model call used.
 *
 * @param inputTokens tokens in the prompt; not negative
 * @param outputTokens tokens in the reply; not negative
 */
public record Usage(long inputTokens, long outputTokens) {
    /** No tokens, for a call that never reached a model. */
    public static final Usage NONE = new Usage(0, 0);

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a count is negative
     */
    public Usage {
        Checks.notNegative(inputTokens, "inputTokens");
        Checks.notNegative(outputTokens, "outputTokens");
    }

    /** {@return input and output tokens together} */
    public long totalTokens() {
        return inputTokens + outputTokens;
    }

    /**
     * {@return the sum of both}
     *
     * @param other another call's usage
     */
    public Usage plus(Usage other) {
        return new Usage(inputTokens + other.inputTokens, outputTokens + other.outputTokens);
    }
}
