package org.codeengine.api.agents;

/** Why an agent run ended. */
public enum StopReason {
    /** The model gave a final answer. */
    ANSWERED,
    /** It used all its turns ({@link Budget#steps()}). */
    STEPS,
    /** It used all its tokens ({@link Budget#tokens()}). */
    TOKENS,
    /** It spent all it may ({@link Budget#costUsd()}). */
    COST,
    /** It ran out of time ({@link Budget#wallTime()}) or past the caller's deadline. */
    WALL_TIME,
    /** It made more malformed tool calls than {@link Budget#malformedCalls()} allows. */
    MALFORMED_CALLS,
    /** Someone cancelled it. */
    CANCELLED,
    /**
     * A host died while a tool call that is not idempotent was running: whether it took effect is unknown, so the
     * resumed run stops rather than run it twice.
     */
    IN_FLIGHT_NOT_IDEMPOTENT,
    /** The provider failed in a way retrying did not mend, or the run met an error; the detail says which. */
    FAILED
}
