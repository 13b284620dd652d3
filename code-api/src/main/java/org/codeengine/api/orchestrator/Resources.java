package org.codeengine.api.orchestrator;

import org.codeengine.api.internal.Checks;

/**
 * Resources a service asks for, or a capacity that bounds how many services may run at once.
 *
 * @param cpuMillis CPU in thousandths of a core (1000 = one core); not negative
 * @param memoryBytes memory in bytes; not negative
 */
public record Resources(long cpuMillis, long memoryBytes) {
    /** Nothing at all. */
    public static final Resources NONE = new Resources(0, 0);
    /** As much as can be counted: a capacity that bounds nothing. */
    public static final Resources UNLIMITED = new Resources(Long.MAX_VALUE, Long.MAX_VALUE);

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a value is negative
     */
    public Resources {
        Checks.notNegative(cpuMillis, "cpuMillis");
        Checks.notNegative(memoryBytes, "memoryBytes");
    }

    /**
     * {@return the sum, saturating at {@link Long#MAX_VALUE}}
     *
     * @param other resources to add
     */
    public Resources plus(Resources other) {
        return new Resources(saturatedAdd(cpuMillis, other.cpuMillis), saturatedAdd(memoryBytes, other.memoryBytes));
    }

    /**
     * {@return whether both amounts are at most those of {@code other}}
     *
     * @param other resources to compare with
     */
    public boolean fitsIn(Resources other) {
        return cpuMillis <= other.cpuMillis && memoryBytes <= other.memoryBytes;
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
