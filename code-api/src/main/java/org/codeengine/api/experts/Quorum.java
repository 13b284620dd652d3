package org.codeengine.api.experts;

import org.codeengine.api.internal.Checks;

/**
 * How many experts must answer before the circle decides: a count, or a fraction of the panel (rounded up).
 *
 * @param count the number of experts, or 0 when {@code fraction} is used
 * @param fraction the share of the panel, 0 (exclusive) to 1, or 0 when {@code count} is used
 */
public record Quorum(int count, double fraction) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException unless exactly one of count and fraction is set within its range
     */
    public Quorum {
        Checks.atLeast(count, 0, "quorum count");
        Checks.between(fraction, 0, 1, "quorum fraction");
        if ((count == 0) == (fraction == 0)) {
            throw new IllegalArgumentException("a quorum is either a count of at least 1 or a fraction above 0");
        }
    }

    /**
     * {@return that quorum}
     *
     * @param experts how many experts must answer; at least 1
     */
    public static Quorum of(int experts) {
        return new Quorum(experts, 0);
    }

    /**
     * {@return that quorum}
     *
     * @param share the share of the panel that must answer, above 0 up to 1
     */
    public static Quorum fraction(double share) {
        return new Quorum(0, share);
    }

    /** {@return more than half of the panel} */
    public static Quorum majority() {
        return new Quorum(0, 0.5000001);
    }

    /**
     * {@return how many of them must answer}
     *
     * @param panel the number of experts on the panel
     */
    public int required(int panel) {
        return count > 0 ? count : Math.max(1, (int) Math.ceil(fraction * panel - 1e-9));
    }
}
