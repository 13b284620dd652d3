package org.codeengine.api.spi;

import java.util.List;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * One turn of a conversation.
 *
 * @param role who speaks
 * @param content what was said (for a {@link Role#TOOL} message, the tool's result)
 * @param toolCalls the calls an {@link Role#ASSISTANT} message asked for; copied
 * @param toolCallId for a {@link Role#TOOL} message, the id of the call it answers; else {@code null}
 */
public record ChatMessage(Role role, String content, List<ToolCall> toolCalls, @Nullable String toolCallId) {
    /** Who speaks a message. */
    public enum Role {
        /** Instructions that frame the conversation. */
        SYSTEM,
        /** The asking side. */
        USER,
        /** The model. */
        ASSISTANT,
        /** The result of a tool call the model asked for. */
        TOOL
    }

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ChatMessage {
        Checks.notNull(role, "role");
        Checks.notNull(content, "content");
        toolCalls = List.copyOf(Checks.notNull(toolCalls, "toolCalls"));
        if (!toolCalls.isEmpty() && role != Role.ASSISTANT) {
            throw new IllegalArgumentException("only assistant messages carry tool calls");
        }
        if ((role == Role.TOOL) != (toolCallId != null)) {
            throw new IllegalArgumentException("toolCallId must be given exactly for tool messages");
        }
    }

    /**
     * A message without tool calls.
     *
     * @param role who speaks: system, user or assistant
     * @param content what was said
     */
    public ChatMessage(Role role, String content) {
        this(role, content, List.of(), null);
    }

    /**
     * {@return a tool message}
     *
     * @param callId the id of the call answered
     * @param result the tool's result
     */
    public static ChatMessage toolResult(String callId, String result) {
        return new ChatMessage(Role.TOOL, result, List.of(), Checks.notNull(callId, "callId"));
    }
}
