package org.codeengine.api.tools;

/**
 * Asks the person behind a call whether a destructive tool call may go ahead, for example through MCP elicitation.
 * The tool registry asks before it runs a tool whose annotations say it is destructive, unless the caller's role may
 * act without asking ({@code tool:unconfirmed:<name>}).
 */
@FunctionalInterface
public interface Confirmer {
    /**
     * @param question what the call will do, for a person to read; holds no secret argument
     * @return whether the person accepted; false when they declined or cancelled
     * @throws InterruptedException if the caller was cancelled while waiting for the answer
     */
    boolean confirm(String question) throws InterruptedException;
}
