package org.codeengine.api.spi;

import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;

/** What the orchestrator gives an executor for one step. */
public interface StepContext {
    /** @return the run the step belongs to */
    String runId();

    /** @return the engine's clock; executors measure time with it, not with the system clock */
    Clock clock();

    /**
     * Records values the executor needs to undo the step later, even in another process (a process id, a container
     * id). They are stored durably before this method returns.
     *
     * @param outputs names and values; never secrets
     */
    void record(Map<String, String> outputs);

    /** @return a sink for one-line progress messages, shown to the user and kept in events */
    Consumer<String> progress();
}
