package org.codeengine.api.agents;

import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.internal.Checks;
import org.codeengine.api.spi.ChatMessage;

/**
 * What an agent run said and did: its system prompt, its task and each turn.
 *
 * @param role the system prompt
 * @param task the task the caller gave
 * @param turns each turn, oldest first; copied
 */
public record Transcript(String role, String task, List<Turn> turns) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field is missing
     */
    public Transcript {
        Checks.notNull(role, "role");
        Checks.notNull(task, "task");
        turns = List.copyOf(Checks.notNull(turns, "turns"));
    }

    /** {@return the conversation as the model saw it: system, task, then each reply followed by its tool results} */
    public List<ChatMessage> messages() {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(new ChatMessage(ChatMessage.Role.SYSTEM, role));
        messages.add(new ChatMessage(ChatMessage.Role.USER, task));
        for (Turn turn : turns) {
            messages.add(turn.reply());
            for (ToolOutcome outcome : turn.outcomes()) {
                messages.add(ChatMessage.toolResult(outcome.callId(), outcome.result()));
            }
        }
        return messages;
    }

    /** {@return the tokens of every turn together} */
    public Usage usage() {
        Usage sum = Usage.NONE;
        for (Turn turn : turns) {
            sum = sum.plus(turn.usage());
        }
        return sum;
    }

    /** {@return what every turn cost together, in US dollars} */
    public double costUsd() {
        double sum = 0;
        for (Turn turn : turns) {
            sum += turn.costUsd();
        }
        return sum;
    }
}
