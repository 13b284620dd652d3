package org.codeengine.api.agents;

import java.nio.file.Path;
import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.tools.Confirmer;
import org.jspecify.annotations.Nullable;

/**
 * The agents face of CODE: runs a model that uses the tools of {@code engine.tools()} to get a task done. Every tool
 * call goes through the registry's permission check as the caller narrowed to the spec's tool list, so an agent can
 * never do what its caller may not, nor call a tool outside its list. Each turn and tool call is journaled in the
 * store before and after it runs, so a run whose host died resumes with {@link #resume}.
 */
public interface Agents {
    /**
     * Starts a run and returns at once.
     *
     * @param context the caller, whose rights bound the agent's; needs {@code agent:run:<name>}
     * @param spec the agent
     * @param task what to do, for the model; not blank
     * @param person asks the person behind the run to approve destructive calls (for {@link Gate.Mode#PERSON} and
     *        {@link Gate.Mode#BOTH}), or {@code null} when nobody can be asked
     * @return the run's handle
     * @throws PolicyDeniedException if the caller may not run the agent
     * @throws ConfigurationException if the spec's brain names a provider or panel the engine does not have, or its
     *         gate names a panel while the engine has no {@link GateKeeper}
     * @throws IllegalArgumentException if {@code task} is blank
     */
    AgentRun run(CallContext context, AgentSpec spec, String task, @Nullable Confirmer person);

    /**
     * Starts a run with nobody to ask: a destructive call runs only where the gate's panel approves or the caller may
     * act without asking.
     *
     * @param context the caller; needs {@code agent:run:<name>}
     * @param spec the agent
     * @param task what to do; not blank
     * @return the run's handle
     * @throws PolicyDeniedException if the caller may not run the agent
     * @throws ConfigurationException as {@link #run(CallContext, AgentSpec, String, Confirmer)}
     */
    default AgentRun run(CallContext context, AgentSpec spec, String task) {
        return run(context, spec, task, null);
    }

    /**
     * Picks up a run that an earlier process left unfinished (or returns a finished run's result): completed turns and
     * tool calls are replayed from the journal, a tool call that was in flight is run again only if its tool is
     * idempotent, else the run ends {@link StopReason#IN_FLIGHT_NOT_IDEMPOTENT}.
     *
     * @param context the caller, who must be the run's caller; needs {@code agent:run:<name>}
     * @param runId the run
     * @param person asks the person behind the run, or {@code null}
     * @return the run's handle
     * @throws NotFoundException if there is no such run
     * @throws PolicyDeniedException if the caller is not the run's caller or may not run the agent
     */
    AgentRun resume(CallContext context, String runId, @Nullable Confirmer person);

    /**
     * Picks up a run with nobody to ask, as {@link #resume(CallContext, String, Confirmer)}.
     *
     * @param context the caller, who must be the run's caller
     * @param runId the run
     * @return the run's handle
     * @throws NotFoundException if there is no such run
     * @throws PolicyDeniedException if the caller is not the run's caller or may not run the agent
     */
    default AgentRun resume(CallContext context, String runId) {
        return resume(context, runId, null);
    }

    /**
     * Asks a run of this engine to stop, as {@link AgentRun#cancel()}; a run that has ended is left as it is.
     *
     * @param context the caller, who must be the run's caller
     * @param runId the run
     * @throws NotFoundException if there is no such run
     * @throws PolicyDeniedException if the caller is not the run's caller
     */
    void cancel(CallContext context, String runId);

    /**
     * {@return the agent it describes}
     *
     * @param file a role file, YAML or JSON
     * @throws InvalidRequestException if the file is missing, not well-formed, or a field breaks its rule; the
     *         message names the file, the field and the rule
     */
    AgentSpec load(Path file);

    /**
     * {@return the agent it describes}
     *
     * @param text a role, YAML or JSON (JSON if it starts with a brace)
     * @param source where it came from, for messages
     * @throws InvalidRequestException if the text is not well-formed or a field breaks its rule; the message names
     *         the field and the rule
     */
    AgentSpec parse(String text, String source);
}
