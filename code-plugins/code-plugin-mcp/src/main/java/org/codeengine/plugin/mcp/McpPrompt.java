package org.codeengine.plugin.mcp;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A prompt template an {@link McpServer} serves.
 *
 * @param name its name
 * @param title a display name, or null
 * @param description what it is for
 * @param arguments its arguments; copied
 * @param handler renders it
 * @param completions completes argument values, by argument name; copied
 */
public record McpPrompt(String name, @Nullable String title, String description, List<Argument> arguments,
        Handler handler, Map<String, Completer> completions) {
    /**
     * One argument of a prompt.
     *
     * @param name its name
     * @param description what it means, or null
     * @param required whether the prompt needs it
     */
    public record Argument(String name, @Nullable String description, boolean required) {
        /** @throws IllegalArgumentException if the name is blank */
        public Argument {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("an argument needs a name");
            }
        }
    }

    /** Renders a prompt. */
    @FunctionalInterface
    public interface Handler {
        /**
         * {@return the messages (see {@link McpContent#message})}
         *
         * @param arguments the arguments given; every required one is present
         * @param context the request
         * @throws Exception if it cannot be rendered
         */
        List<ObjectNode> render(Map<String, String> arguments, McpRequestContext context) throws Exception;
    }

    /** @throws IllegalArgumentException if the name, description or handler is missing */
    public McpPrompt {
        if (name == null || name.isBlank() || description == null || handler == null) {
            throw new IllegalArgumentException("a prompt needs a name, a description and a handler");
        }
        arguments = List.copyOf(arguments == null ? List.of() : arguments);
        completions = Map.copyOf(completions == null ? Map.of() : completions);
    }
}
