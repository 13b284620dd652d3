package org.codeengine.core.internal.orchestrator;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.spi.StepContext;

/** What an executor gets for one instance: who it is, and where its outputs and progress messages go. */
record InstanceContext(String runId, String service, int instance, String slot, Clock clock,
        Consumer<Map<String, String>> recorder, Consumer<String> progress, Path logFolder, Resources resources)
        implements
            StepContext {
    /** An instance that asks for no resources. */
    InstanceContext(String runId, String service, int instance, String slot, Clock clock,
            Consumer<Map<String, String>> recorder, Consumer<String> progress, Path logFolder) {
        this(runId, service, instance, slot, clock, recorder, progress, logFolder, Resources.NONE);
    }

    @Override
    public void record(Map<String, String> outputs) {
        recorder.accept(outputs);
    }
}
