package org.codeengine.api.orchestrator;

/** Where a deployment run stands. */
public enum RunState {
    /** Accepted, nothing started yet. */
    PENDING,
    /** Starting services. */
    RUNNING,
    /** Every service is up and healthy. */
    SUCCEEDED,
    /** A step failed for good; the run is undoing what it did. */
    ROLLING_BACK,
    /** Undone after a failure or on request. */
    ROLLED_BACK,
    /** Failed and could not be fully undone. */
    FAILED,
    /** Stopped by a caller; what it had deployed is undone. */
    CANCELLED,
    /** Succeeded once, then replaced by a later successful run of the same deployment, which stopped its services. */
    SUPERSEDED;

    /** {@return whether the run can change no more on its own} */
    public boolean terminal() {
        return this != PENDING && this != RUNNING && this != ROLLING_BACK;
    }
}
