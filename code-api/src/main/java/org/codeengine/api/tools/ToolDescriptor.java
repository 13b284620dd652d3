package org.codeengine.api.tools;

import org.codeengine.api.internal.Checks;
import tools.jackson.databind.JsonNode;

/**
 * A tool a caller may invoke, described the way MCP describes tools.
 *
 * @param name unique among all tools; letters, digits, '_', '-' or '.', 1 to 128 long
 * @param description what it does, for a person or a model
 * @param inputSchema a JSON Schema (2020-12) object for its arguments
 */
public record ToolDescriptor(String name, String description, JsonNode inputSchema) {
    /** @throws IllegalArgumentException if the name breaks its rule or the schema is not an object */
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
    }
}
