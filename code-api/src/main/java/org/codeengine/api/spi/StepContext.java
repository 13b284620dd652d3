package org.codeengine.api.spi;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import org.codeengine.api.orchestrator.Resources;

/** What the orchestrator gives an executor for one instance of one step. */
public interface StepContext {
    /** @return the run the step belongs to */
    String runId();

    /** @return the service the step deploys */
    String service();

    /** @return which instance of the service this is, from 0 */
    int instance();

    /** @return the slot the instance runs in: {@code blue} or {@code green} */
    String slot();

    /** @return the engine's clock; executors measure time with it, not with the system clock */
    Clock clock();

    /**
     * Records values the executor needs to undo the instance later, even in another process (a process id, a
     * container id). They are stored durably before this method returns, and come back in the outputs of the
     * {@link org.codeengine.api.orchestrator.StepRecord} that {@link StepExecutor#undo} gets.
     *
     * @param outputs names and values; never secrets
     */
    void record(Map<String, String> outputs);

    /** @return a sink for one-line progress messages, shown to the user and kept in events */
    Consumer<String> progress();

    /**
     * What one instance of the service asks for, so an executor that can bound it (a container's CPU and memory
     * limits) does.
     *
     * @return the service's resources; by default {@link Resources#NONE}, which bounds nothing
     */
    default Resources resources() {
        return Resources.NONE;
    }

    /**
     * @return the folder the engine keeps its services' logs in (readable by its owner only); an executor that writes
     *         an instance's output to a file puts it under here, unless its settings name another file
     */
    Path logFolder();
}
