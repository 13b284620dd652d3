package org.codeengine.api.orchestrator;

/** Where one service's step of a run stands. */
public enum StepState {
    /** Waiting for its dependencies. */
    PENDING,
    /** Its executor is starting it. */
    STARTING,
    /** Started; waiting for its health check. */
    CHECKING_HEALTH,
    /** Started and healthy. */
    HEALTHY,
    /** Failed for good, retries spent. */
    FAILED,
    /** Never started because the run stopped first. */
    SKIPPED,
    /** Undone by its executor. */
    ROLLED_BACK
}
