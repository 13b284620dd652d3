package org.codeengine.api.agents;

import java.util.List;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.internal.Checks;
import org.codeengine.api.spi.ChatMessage;

/**
 * One model turn of an agent run: the model's reply and the tool calls it asked for, with their outcomes.
 *
 * @param index the turn's number, from 1
 * @param reply the model's message (an assistant message, with its tool calls)
 * @param outcomes each tool call's outcome, in the order the model asked for them; copied
 * @param usage the tokens the turn used
 * @param costUsd what the turn cost, in US dollars
 */
public record Turn(int index, ChatMessage reply, List<ToolOutcome> outcomes, Usage usage, double costUsd) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public Turn {
        Checks.atLeast(index, 1, "index");
        Checks.notNull(reply, "reply");
        if (reply.role() != ChatMessage.Role.ASSISTANT) {
            throw new IllegalArgumentException("reply must be an assistant message but was " + reply.role());
        }
        outcomes = List.copyOf(Checks.notNull(outcomes, "outcomes"));
        Checks.notNull(usage, "usage");
        Checks.between(costUsd, 0, 1e12, "costUsd");
    }
}
