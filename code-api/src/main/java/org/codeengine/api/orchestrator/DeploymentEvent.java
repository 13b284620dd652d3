package org.codeengine.api.orchestrator;

import java.time.Duration;
import java.time.Instant;

/** Progress of a run, delivered to listeners of a {@link RunHandle} in the order it happened. */
public sealed interface DeploymentEvent {
    /** {@return the run the event belongs to} */
    String runId();

    /** {@return when it happened} */
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

    /**
     * A try of a step failed and another will follow after a wait.
     *
     * @param runId the run
     * @param at when
     * @param service the service of the step
     * @param failedAttempt the number of the try that failed, from 1
     * @param delay the wait before the next try
     * @param error why the try failed, never a secret
     */
    record StepRetried(String runId, Instant at, String service, int failedAttempt, Duration delay, String error)
            implements
                DeploymentEvent {}

    /**
     * The health of an instance changed: its first probe result, or a result unlike the one before.
     *
     * @param runId the run
     * @param at when
     * @param service the service
     * @param instance the instance, from 0
     * @param healthy whether the probe passed
     * @param detail what the probe saw: a status code, an exit code, a connect error
     */
    record HealthChanged(String runId, Instant at, String service, int instance, boolean healthy, String detail)
            implements
                DeploymentEvent {}
}
