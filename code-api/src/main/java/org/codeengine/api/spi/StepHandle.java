package org.codeengine.api.spi;

import java.time.Duration;
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

    /** @return whether what was started is still running */
    boolean alive();

    /** Stops the start in progress, if it is still in progress. */
    void cancel();
}
