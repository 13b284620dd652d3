package org.codeengine.api.experts;

/**
 * What a model charges, in US dollars per million tokens.
 *
 * @param inputPerMillion dollars per million prompt tokens; not negative
 * @param outputPerMillion dollars per million reply tokens; not negative
 */
public record Price(double inputPerMillion, double outputPerMillion) {
    /** Free (local models, replays). */
    public static final Price FREE = new Price(0, 0);

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a price is negative or not finite
     */
    public Price {
        if (!(inputPerMillion >= 0) || !(outputPerMillion >= 0)
                || Double.isInfinite(inputPerMillion + outputPerMillion)) {
            throw new IllegalArgumentException("prices must be finite and not negative but were " + inputPerMillion
                    + " and " + outputPerMillion);
        }
    }

    /**
     * {@return what they cost in US dollars}
     *
     * @param usage tokens used
     */
    public double cost(Usage usage) {
        return (usage.inputTokens() * inputPerMillion + usage.outputTokens() * outputPerMillion) / 1_000_000;
    }
}
