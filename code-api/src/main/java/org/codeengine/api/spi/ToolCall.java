package org.codeengine.api.spi;

import org.codeengine.api.internal.Checks;

/**
 * A model's request to call a function.
 *
 * @param id the provider's id of the call, to answer it with a {@link ChatMessage.Role#TOOL} message
 * @param name the function's name
 * @param arguments the arguments as JSON text, as the model wrote them (it may not be valid JSON)
 */
public record ToolCall(String id, String name, String arguments) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field is missing
     */
    public ToolCall {
        Checks.notNull(id, "id");
        Checks.notBlank(name, "name");
        Checks.notNull(arguments, "arguments");
    }
}
