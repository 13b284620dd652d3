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

    /** @throws IllegalArgumentException if a value is negative */
    public Resources {
        Checks.notNegative(cpuMillis, "cpuMillis");
        Checks.notNegative(memoryBytes, "memoryBytes");
    }
}
