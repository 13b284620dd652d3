package org.codeengine.api.orchestrator;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.codeengine.api.DeadlineExceededException;

/** A deployment run that is going on or has ended. Thread-safe. */
public interface RunHandle {
    /** {@return the run's id, the key to {@link Orchestrator#resume} and {@link Orchestrator#rollback}} */
    String runId();

    /** {@return the run's state now} */
    RunState state();

    /** {@return every step's record now, in plan order} */
    List<StepRecord> steps();

    /**
     * Tells a listener of the run's events.
     *
     * @param listener called for each event of the run, first those that already happened, then each new one as it
     *        happens, on a thread of the engine, one event at a time in order; must not block
     */
    void onEvent(Consumer<DeploymentEvent> listener);

    /**
     * Waits for the run to reach a terminal state.
     *
     * @param timeout the longest to wait
     * @return the terminal state
     * @throws DeadlineExceededException if the run is still going after {@code timeout}
     */
    RunState await(Duration timeout);

    /** Asks the run to stop: no new steps start, running ones are cancelled, and what was deployed is undone. */
    void cancel();
}
