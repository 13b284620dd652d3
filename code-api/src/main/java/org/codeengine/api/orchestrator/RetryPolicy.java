package org.codeengine.api.orchestrator;

import java.time.Duration;
import org.codeengine.api.internal.Checks;

/**
 * How often and how patiently a failed step is tried again: exponential backoff with jitter, capped.
 *
 * @param maxAttempts tries in all, the first included; at least 1
 * @param initialBackoff wait before the second try
 * @param maxBackoff the longest wait between tries; not below {@code initialBackoff}
 * @param multiplier growth of the wait after each try; at least 1
 * @param jitter the fraction of each wait drawn at random, 0 to 1
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
        double jitter) {
    /** One try, no retries. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, 1, 0);

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a value breaks its rule
     */
    public RetryPolicy {
        Checks.atLeast(maxAttempts, 1, "maxAttempts");
        Checks.notNegative(initialBackoff, "initialBackoff");
        Checks.notNegative(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must not be below initialBackoff");
        }
        Checks.between(multiplier, 1, 100, "multiplier");
        Checks.between(jitter, 0, 1, "jitter");
    }
}
