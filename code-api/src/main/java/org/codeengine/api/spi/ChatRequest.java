package org.codeengine.api.spi;

import java.util.List;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * One request to a chat model.
 *
 * @param model the provider's model name; not blank
 * @param messages the conversation, oldest first; not empty; copied
 * @param temperature sampling temperature, 0 to 2
 * @param maxTokens the most tokens to generate; at least 1
 * @param stop sequences that end generation; copied
 * @param format the form the reply must take, or {@code null} for the provider's default (text)
 * @param tools functions the model may ask to call; copied
 */
public record ChatRequest(String model, List<ChatMessage> messages, double temperature, int maxTokens,
        List<String> stop, @Nullable ResponseFormat format, List<ToolSpec> tools) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ChatRequest {
        Checks.notBlank(model, "model");
        messages = List.copyOf(Checks.notNull(messages, "messages"));
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        Checks.between(temperature, 0, 2, "temperature");
        Checks.atLeast(maxTokens, 1, "maxTokens");
        stop = List.copyOf(Checks.notNull(stop, "stop"));
        tools = List.copyOf(Checks.notNull(tools, "tools"));
    }

    /**
     * A request with no response format and no tools.
     *
     * @param model the provider's model name; not blank
     * @param messages the conversation, oldest first; not empty; copied
     * @param temperature sampling temperature, 0 to 2
     * @param maxTokens the most tokens to generate; at least 1
     * @param stop sequences that end generation; copied
     */
    public ChatRequest(String model, List<ChatMessage> messages, double temperature, int maxTokens,
            List<String> stop) {
        this(model, messages, temperature, maxTokens, stop, null, List.of());
    }
}
