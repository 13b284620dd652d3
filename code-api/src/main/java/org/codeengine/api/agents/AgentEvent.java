package org.codeengine.api.agents;

import org.codeengine.api.internal.Checks;

/** Something that happened in an agent run, streamed to {@link AgentRun#onEvent} listeners. */
public sealed interface AgentEvent permits AgentEvent.TurnStarted, AgentEvent.Replied, AgentEvent.ToolStarted,
        AgentEvent.ToolEnded, AgentEvent.Stopped {
    /** {@return the run's id} */
    String runId();

    /**
     * A model turn began.
     *
     * @param runId the run
     * @param turn the turn's number, from 1
     */
    record TurnStarted(String runId, int turn) implements AgentEvent {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field breaks its rule
         */
        public TurnStarted {
            Checks.notBlank(runId, "runId");
        }
    }

    /**
     * The model replied (or, in a resumed run, its journaled reply is taken up again).
     *
     * @param runId the run
     * @param turn the turn as the model replied it: its tool calls have not run yet, so its outcomes are empty; each
     *        call's outcome follows as a {@link ToolEnded}
     */
    record Replied(String runId, Turn turn) implements AgentEvent {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field breaks its rule
         */
        public Replied {
            Checks.notBlank(runId, "runId");
            Checks.notNull(turn, "turn");
        }
    }

    /**
     * A tool call is about to run.
     *
     * @param runId the run
     * @param turn the turn's number
     * @param callId the provider's id of the call
     * @param tool the tool's name
     */
    record ToolStarted(String runId, int turn, String callId, String tool) implements AgentEvent {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field breaks its rule
         */
        public ToolStarted {
            Checks.notBlank(runId, "runId");
            Checks.notNull(callId, "callId");
            Checks.notNull(tool, "tool");
        }
    }

    /**
     * A tool call ended (or was refused).
     *
     * @param runId the run
     * @param turn the turn's number
     * @param outcome how it ended
     */
    record ToolEnded(String runId, int turn, ToolOutcome outcome) implements AgentEvent {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field breaks its rule
         */
        public ToolEnded {
            Checks.notBlank(runId, "runId");
            Checks.notNull(outcome, "outcome");
        }
    }

    /**
     * The run ended; the last event of a run.
     *
     * @param runId the run
     * @param result how it ended
     */
    record Stopped(String runId, AgentResult result) implements AgentEvent {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if a field breaks its rule
         */
        public Stopped {
            Checks.notBlank(runId, "runId");
            Checks.notNull(result, "result");
        }
    }
}
