package org.codeengine.api.orchestrator;

import java.util.List;
import org.codeengine.api.CallContext;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;

/** The orchestrator face of CODE: deploys plans of services with dependencies, health checks and rollback. */
public interface Orchestrator {
    /**
     * Validates a deployment and orders it in phases without running anything.
     *
     * @param context the caller
     * @param spec the deployment
     * @return the plan
     * @throws InvalidRequestException if the deployment has a cycle, a missing dependency, an unknown executor or a
     *         request larger than capacity; the message names what and where
     * @throws PolicyDeniedException if the caller may not deploy to the environment
     */
    Plan plan(CallContext context, DeploymentSpec spec);

    /**
     * Starts a deployment and returns at once.
     *
     * @param context the caller
     * @param spec the deployment
     * @return the handle of the new run
     * @throws InvalidRequestException as {@link #plan}
     * @throws PolicyDeniedException if the caller may not deploy to the environment
     * @throws DeploymentBusyException if another run of the same deployment (name and environment) is unfinished on
     *         the store, and the engine was not told to wait for it or the wait ran out
     */
    RunHandle deploy(CallContext context, DeploymentSpec spec);

    /**
     * Picks up a run that an earlier process left unfinished.
     *
     * @param context the caller
     * @param runId the run
     * @return its handle
     * @throws NotFoundException if no such run exists
     * @throws PolicyDeniedException if the caller may not deploy to the run's environment
     */
    RunHandle resume(CallContext context, String runId);

    /**
     * Undoes what a run deployed, in reverse dependency order; works on a finished run too.
     *
     * @param context the caller
     * @param runId the run
     * @return its handle
     * @throws NotFoundException if no such run exists
     * @throws PolicyDeniedException if the caller may not roll back in the run's environment
     */
    RunHandle rollback(CallContext context, String runId);

    /**
     * Asks a run to stop, as {@link RunHandle#cancel()}: no new steps start, running ones are cancelled, what was
     * deployed is undone, and the run ends {@link RunState#CANCELLED}. Cancelling a finished run does nothing.
     *
     * @param context the caller
     * @param runId the run
     * @throws NotFoundException if no such run exists
     * @throws PolicyDeniedException if the caller may not cancel runs in the run's environment
     */
    void cancel(CallContext context, String runId);

    /**
     * {@return the run with its steps, as the store has it now}
     *
     * @param context the caller
     * @param runId the run
     * @throws NotFoundException if no such run exists
     */
    RunSummary inspect(CallContext context, String runId);

    /**
     * {@return past and current runs, newest first, without their steps}
     *
     * @param context the caller
     * @param limit the most runs to return; at least 1
     */
    List<RunSummary> history(CallContext context, int limit);
}
