package org.codeengine.api.orchestrator;

import org.codeengine.api.UnavailableException;
import org.codeengine.api.internal.Checks;

/**
 * A deployment could not start because another run of the same deployment (name and environment) is still unfinished
 * on the store, started by this engine or another one. At most one run deploys a deployment at a time; try again once
 * that run has ended, or resume, roll back or cancel it.
 */
public class DeploymentBusyException extends UnavailableException {
    private static final long serialVersionUID = 1L;

    /** The id of the run that deploys the deployment now. */
    private final String runningRunId;

    /**
     * Makes the exception.
     *
     * @param deployment the deployment's name
     * @param environment the deployment's environment
     * @param runningRunId the id of the unfinished run that holds the deployment; not blank
     * @throws IllegalArgumentException if {@code runningRunId} is blank
     */
    public DeploymentBusyException(String deployment, String environment, String runningRunId) {
        super("deployment " + deployment + " to " + environment + " is busy: run " + runningRunId
                + " of it is unfinished; wait for it to end, or resume, roll back or cancel it", null, null);
        Checks.notBlank(runningRunId, "runningRunId");
        this.runningRunId = runningRunId;
    }

    /** {@return the id of the unfinished run that kept the new one from starting} */
    public String runningRunId() {
        return runningRunId;
    }
}
