package org.codeengine.api.orchestrator;

import java.time.Instant;

/** Progress of a run, delivered to listeners of a {@link RunHandle} in the order it happened. */
public sealed interface DeploymentEvent {
    /** @return the run the event belongs to */
    String runId();

    /** @return when it happened */
    Instant at();

    /**
     * The run changed state.
     *
     * @param runId the run
     * @param at when
     * @param state the new state
     */
    record RunStateChanged(String runId, Instant at, RunState state) implements DeploymentEvent {}

    /**
     * A step changed state.
     *
     * @param runId the run
     * @param at when
     * @param service the service of the step
     * @param state the new state
     * @param message a short human-readable note (the error of a failed try), never a secret
     */
    record StepStateChanged(String runId, Instant at, String service, StepState state, String message)
            implements
                DeploymentEvent {}
}
