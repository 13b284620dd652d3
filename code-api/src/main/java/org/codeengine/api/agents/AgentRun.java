package org.codeengine.api.agents;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.codeengine.api.DeadlineExceededException;

/** An agent run that is going on or has ended. Thread-safe. */
public interface AgentRun {
    /** {@return the run's id, the key to {@link Agents#resume}} */
    String runId();

    /**
     * Tells a listener of the run's events.
     *
     * @param listener called for each event of the run, first those that already happened, then each new one as it
     *        happens, one at a time in order; must not block
     */
    void onEvent(Consumer<AgentEvent> listener);

    /** {@return the result, if the run has ended} */
    Optional<AgentResult> result();

    /**
     * Waits for the run to end.
     *
     * @param timeout the longest to wait
     * @return how it ended
     * @throws DeadlineExceededException if it is still going after {@code timeout}
     */
    AgentResult await(Duration timeout);

    /** Asks the run to stop: no new turn or tool call starts, and it ends {@link StopReason#CANCELLED}. */
    void cancel();
}
