package org.codeengine.core.internal.orchestrator;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import org.codeengine.api.spi.StepContext;

/** What an executor gets for one instance: who it is, and where its outputs and progress messages go. */
record InstanceContext(String runId, String service, int instance, String slot, Clock clock,
        Consumer<Map<String, String>> recorder, Consumer<String> progress, Path logFolder) implements StepContext {
    @Override
    public void record(Map<String, String> outputs) {
        recorder.accept(outputs);
    }
}
