package org.codeengine.api.spi;

import java.time.Duration;
import java.util.Optional;
import org.codeengine.api.CodeException;

/** A step an executor has started. */
public interface StepHandle {
    /**
     * Waits until the executor's own part of the start is over (a process is running, a container created).
     *
     * @param timeout the longest to wait
     * @throws CodeException if the start failed or took longer than {@code timeout}
     */
    void awaitStarted(Duration timeout);

    /** {@return whether what was started is still running} */
    boolean alive();

    /**
     * Says why what was started stopped, once {@link #alive()} has said it no longer runs: its exit code and the last
     * lines of its output, so that a failed step tells the user what happened. Never holds secrets the executor knows
     * of.
     *
     * @return one line such as {@code exit 3; last log line: 'listen: address in use'}, or empty if unknown
     */
    default Optional<String> exitDetail() {
        return Optional.empty();
    }

    /** Stops the start in progress, if it is still in progress. */
    void cancel();
}
