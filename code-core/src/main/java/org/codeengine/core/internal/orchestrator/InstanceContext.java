package org.codeengine.core.internal.orchestrator;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.Secret;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.spi.StepContext;

/** What an executor gets for one instance: who it is, and where its outputs and progress messages go. */
record InstanceContext(String runId, String service, int instance, String slot, Clock clock,
        Consumer<Map<String, String>> recorder, Consumer<String> progress, Path logFolder, Resources resources,
        Function<SecretRef, Secret> secrets)
        implements
            StepContext {
    /** An instance that asks for no resources. */
    InstanceContext(String runId, String service, int instance, String slot, Clock clock,
            Consumer<Map<String, String>> recorder, Consumer<String> progress, Path logFolder) {
        this(runId, service, instance, slot, clock, recorder, progress, logFolder, Resources.NONE, ref -> {
            throw new NotFoundException("this context resolves no secrets (asked for " + ref + ")", null);
        });
    }

    @Override
    public Secret secret(SecretRef ref) {
        return secrets.apply(ref);
    }

    @Override
    public void record(Map<String, String> outputs) {
        recorder.accept(outputs);
    }
}
