package org.codeengine.api.tools;

import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A tool a caller may invoke, described the way MCP describes tools.
 *
 * @param name unique among all tools; letters, digits, '_', '-' or '.', 1 to 128 long
 * @param description what it does, for a person or a model
 * @param inputSchema a JSON Schema (2020-12) object for its arguments
 * @param outputSchema a JSON Schema object for its structured result, or {@code null} when it gives none
 * @param annotations what it does to the world, or {@code null} when the tool does not say (MCP peers then assume
 *        {@link ToolAnnotations#UNKNOWN}; CODE's registry asks for confirmation only where a tool says it is
 *        destructive)
 */
public record ToolDescriptor(String name, String description, JsonNode inputSchema, @Nullable JsonNode outputSchema,
        @Nullable ToolAnnotations annotations) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if the name breaks its rule or a schema is not an object
     */
    public ToolDescriptor {
        Checks.notNull(name, "name");
        if (!name.matches("[A-Za-z0-9_.-]{1,128}")) {
            throw new IllegalArgumentException("name must match [A-Za-z0-9_.-]{1,128} but was '" + name + "'");
        }
        Checks.notNull(description, "description");
        Checks.notNull(inputSchema, "inputSchema");
        if (!inputSchema.isObject()) {
            throw new IllegalArgumentException("inputSchema of tool '" + name + "' must be a JSON object");
        }
        if (outputSchema != null && !outputSchema.isObject()) {
            throw new IllegalArgumentException("outputSchema of tool '" + name + "' must be a JSON object");
        }
    }

    /**
     * A tool with no output schema that says nothing of what it does.
     *
     * @param name unique among all tools
     * @param description what it does
     * @param inputSchema a JSON Schema object for its arguments
     */
    public ToolDescriptor(String name, String description, JsonNode inputSchema) {
        this(name, description, inputSchema, null, null);
    }
}
