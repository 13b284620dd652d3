package org.codeengine.plugin.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls for a condition with a deadline, the way a test waits for something instead of sleeping. */
public final class Await {
    private static final Duration INTERVAL = Duration.ofMillis(20);

    private Await() {}

    /**
     * Returns as soon as {@code condition} holds.
     *
     * @param what what is awaited, for the failure's message
     * @param condition polled every 20 ms
     * @param within the longest to wait
     * @throws AssertionError if the condition does not hold within {@code within}, or the wait is interrupted
     */
    public static void until(String what, BooleanSupplier condition, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + within + " waiting until " + what);
            }
            try {
                Thread.sleep(INTERVAL); // the poll's interval, not a wait for anything
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what, e);
            }
        }
    }
}
