package org.codeengine.api.spi;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.Secret;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.security.SecretRef;

/** What the orchestrator gives an executor for one instance of one step. */
public interface StepContext {
    /** {@return the run the step belongs to} */
    String runId();

    /** {@return the service the step deploys} */
    String service();

    /** {@return which instance of the service this is, from 0} */
    int instance();

    /** {@return the slot the instance runs in: {@code blue} or {@code green}} */
    String slot();

    /** {@return the engine's clock; executors measure time with it, not with the system clock} */
    Clock clock();

    /**
     * Records values the executor needs to undo the instance later, even in another process (a process id, a
     * container id). They are stored durably before this method returns, and come back in the outputs of the
     * {@link org.codeengine.api.orchestrator.StepRecord} that {@link StepExecutor#undo} gets.
     *
     * @param outputs names and values; never secrets
     */
    void record(Map<String, String> outputs);

    /** {@return a sink for one-line progress messages, shown to the user and kept in events} */
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
     * {@return the folder the engine keeps its services' logs in (readable by its owner only); an executor that writes
     *         an instance's output to a file puts it under here, unless its settings name another file}
     */
    Path logFolder();

    /**
     * Resolves a secret that the service's settings refer to, when the executor needs it and never earlier. Only the
     * references {@link StepExecutor#secretRefs(Map)} named for this service resolve; the caller of the deploy was
     * checked for each before the run began. The secret must never be recorded, logged or put into a message.
     *
     * @param ref a reference from the service's settings
     * @return the secret
     * @throws NotFoundException if the reference was not named by the executor, or names no secret
     */
    default Secret secret(SecretRef ref) {
        throw new NotFoundException("this context resolves no secrets (asked for " + ref + ")", null);
    }
}
