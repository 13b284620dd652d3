package org.codeengine.api.spi;

import org.codeengine.api.internal.Checks;

/**
 * One turn of a conversation.
 *
 * @param role who speaks
 * @param content what was said
 */
public record ChatMessage(Role role, String content) {
    /** Who speaks a message. */
    public enum Role {
        /** Instructions that frame the conversation. */
        SYSTEM,
        /** The asking side. */
        USER,
        /** The model. */
        ASSISTANT
    }

    public ChatMessage {
        Checks.notNull(role, "role");
        Checks.notNull(content, "content");
    }
}
