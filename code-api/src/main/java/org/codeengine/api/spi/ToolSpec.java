package org.codeengine.api.spi;

import org.codeengine.api.internal.Checks;
import tools.jackson.databind.JsonNode;

/**
 * A function the model may ask to call.
 *
 * @param name the function's name; letters, digits, {@code _} and {@code -}, 1 to 64 characters
 * @param description what it does, for the model
 * @param parameters a JSON Schema of its arguments (an object schema)
 */
public record ToolSpec(String name, String description, JsonNode parameters) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ToolSpec {
        Checks.notBlank(name, "name");
        if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("name must be 1 to 64 letters, digits, '_' or '-' but was '" + name
                    + "'");
        }
        Checks.notNull(description, "description");
        Checks.notNull(parameters, "parameters");
        if (!parameters.isObject()) {
            throw new IllegalArgumentException("parameters of tool " + name + " must be a JSON Schema object");
        }
    }
}
