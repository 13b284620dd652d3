package org.codeengine.api.agents;

import org.codeengine.api.internal.Checks;

/**
 * One tool call the model asked for, and what it got back.
 *
 * @param callId the provider's id of the call
 * @param tool the tool's name as the model wrote it
 * @param arguments the arguments as the model wrote them (JSON text, possibly malformed); arguments a tool's schema
 *        marks secret are kept as the model wrote them here but never reach the audit log
 * @param result what the model was told: the tool's result, or why the call was refused or malformed
 * @param status how the call ended
 */
public record ToolOutcome(String callId, String tool, String arguments, String result, Status status) {
    /** How a tool call ended. */
    public enum Status {
        /** The tool ran and succeeded. */
        OK,
        /** The tool ran and reported a failure (or refused to run without approval). */
        TOOL_ERROR,
        /** The permission check refused it: outside the agent's list, or beyond its caller's rights. */
        REFUSED,
        /** It named no tool there is, or its arguments were not JSON or failed the tool's schema. */
        MALFORMED
    }

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field is missing
     */
    public ToolOutcome {
        Checks.notNull(callId, "callId");
        Checks.notNull(tool, "tool");
        Checks.notNull(arguments, "arguments");
        Checks.notNull(result, "result");
        Checks.notNull(status, "status");
    }
}
