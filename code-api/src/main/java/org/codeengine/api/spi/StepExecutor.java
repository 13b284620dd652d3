package org.codeengine.api.spi;

import java.util.Map;
import org.codeengine.api.CodeException;
import org.codeengine.api.orchestrator.StepRecord;

/** A plugin that starts and undoes services of one kind (local processes, containers, ...). */
public interface StepExecutor extends Plugin {
    /**
     * Starts one service.
     *
     * @param service the service's name
     * @param settings the executor's settings from the service spec
     * @param context the run and a place to record what undo will need
     * @return the started step
     * @throws CodeException if the settings are invalid or the start cannot begin
     */
    StepHandle start(String service, Map<String, String> settings, StepContext context);

    /**
     * Undoes a step from its durable record, possibly in a process other than the one that started it.
     *
     * @param record the step's record, with the outputs the executor recorded
     * @param context the run
     * @throws CodeException if the step cannot be undone
     */
    void undo(StepRecord record, StepContext context);
}
