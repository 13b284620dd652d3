package org.codeengine.plugin.support;

import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.tools.ToolResult;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What tool provider plugins share: their failures as results naming the argument and the rule, arguments and settings
 * read with one clear error each, and JSON Schemas for inputs and outputs.
 */
public final class ToolKit {
    private ToolKit() {}

    /** A tool's own failure: its message, one sentence naming the argument and the rule, becomes an error result. */
    public static final class ToolFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * A failure with that message.
         *
         * @param message one sentence naming the argument and the rule
         */
        public ToolFailure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * {@return a failure to throw}
     *
     * @param message one sentence naming the argument and the rule
     */
    public static ToolFailure fail(String message) {
        return new ToolFailure(message);
    }

    /**
     * {@return an error result}
     *
     * @param message why the tool failed
     */
    public static ToolResult failure(String message) {
        return new ToolResult(message, null, true);
    }

    /**
     * {@return a successful result}
     *
     * @param structured the result; its JSON text is the text result too
     */
    public static ToolResult success(ObjectNode structured) {
        return new ToolResult(JsonBodies.JSON.writeValueAsString(structured), structured, false);
    }

    /**
     * {@return its value}
     *
     * @param args the call's arguments
     * @param name a required string argument
     * @throws ToolFailure naming the argument if it is missing, not a string or empty
     */
    public static String text(JsonNode args, String name) {
        String value = optionalText(args, name);
        if (value == null || value.isEmpty()) {
            throw fail("argument '" + name + "' is required and must be a non-empty string");
        }
        return value;
    }

    /**
     * {@return its value, or {@code null} when absent}
     *
     * @param args the call's arguments
     * @param name an optional string argument
     * @throws ToolFailure naming the argument if it is not a string
     */
    public static @Nullable String optionalText(JsonNode args, String name) {
        JsonNode node = args.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            throw fail("argument '" + name + "' must be a string");
        }
        return node.asString();
    }

    /**
     * {@return its value}
     *
     * @param args the call's arguments
     * @param name an optional whole-number argument
     * @param otherwise its value when absent
     * @param min the least value allowed
     * @param max the greatest value allowed
     * @throws ToolFailure naming the argument and the range if it is out of range or not a whole number
     */
    public static long number(JsonNode args, String name, long otherwise, long min, long max) {
        JsonNode node = args.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return otherwise;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            throw fail("argument '" + name + "' must be a whole number from " + min + " to " + max + " but was "
                    + node);
        }
        return node.asLong();
    }

    /**
     * {@return its value}
     *
     * @param settings a provider's settings
     * @param where the section's name for messages, such as {@code tools.http}
     * @param name a whole-number setting
     * @param otherwise its value when absent
     * @param min the least value allowed
     * @param max the greatest value allowed
     * @throws ConfigurationException naming the setting and the range if it is out of range or not a whole number
     */
    public static long setting(JsonNode settings, String where, String name, long otherwise, long min, long max) {
        JsonNode node = settings.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return otherwise;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            throw new ConfigurationException("setting " + where + "." + name + " must be a whole number from " + min
                    + " to " + max + " but was " + node, null);
        }
        return node.asLong();
    }

    /**
     * {@return its value, or {@code null} when absent}
     *
     * @param settings a provider's settings
     * @param where the section's name for messages
     * @param name a string setting
     * @throws ConfigurationException naming the setting if it is not a non-empty string
     */
    public static @Nullable String settingText(JsonNode settings, String where, String name) {
        JsonNode node = settings.path(name);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isString() || node.asString().isBlank()) {
            throw new ConfigurationException("setting " + where + "." + name + " must be a non-empty string but was "
                    + node, null);
        }
        return node.asString();
    }

    /**
     * {@return its values; empty when absent}
     *
     * @param settings a provider's settings
     * @param where the section's name for messages
     * @param name a setting holding a list of strings (a single string counts as a list of one)
     * @throws ConfigurationException naming the setting if it is not a list of non-empty strings
     */
    public static List<String> settingList(JsonNode settings, String where, String name) {
        JsonNode node = settings.path(name);
        List<String> values = new ArrayList<>();
        if (node.isMissingNode() || node.isNull()) {
            return values;
        }
        if (node.isString()) {
            node = JsonBodies.JSON.createArrayNode().add(node.asString());
        }
        if (!node.isArray()) {
            throw new ConfigurationException("setting " + where + "." + name + " must be a list of strings but was "
                    + node, null);
        }
        for (JsonNode item : node) {
            if (!item.isString() || item.asString().isBlank()) {
                throw new ConfigurationException("setting " + where + "." + name
                        + " must be a list of non-empty strings but held " + item, null);
            }
            values.add(item.asString());
        }
        return values;
    }

    /** {@return a builder of a JSON Schema object with properties} */
    public static Schema schema() {
        return new Schema();
    }

    /** Builds a JSON Schema of an object, property by property. */
    public static final class Schema {
        private final ObjectNode root = JsonBodies.JSON.createObjectNode().put("type", "object");
        private final ObjectNode properties = root.putObject("properties");
        private final List<String> required = new ArrayList<>();

        private Schema() {}

        /**
         * {@return the property's schema, to add more keywords to}
         *
         * @param name the property
         * @param type its JSON type: string, integer, boolean, object, array, number
         * @param description what it means
         * @param isRequired whether the caller must give it
         */
        public ObjectNode property(String name, String type, String description, boolean isRequired) {
            if (isRequired) {
                required.add(name);
            }
            return properties.putObject(name).put("type", type).put("description", description);
        }

        /**
         * {@return this builder}
         *
         * @param name the property
         * @param description what it means
         * @param isRequired whether the caller must give it
         */
        public Schema string(String name, String description, boolean isRequired) {
            property(name, "string", description, isRequired);
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param name the property
         * @param description what it means
         * @param min the least value
         * @param max the greatest value
         */
        public Schema integer(String name, String description, long min, long max) {
            property(name, "integer", description, false).put("minimum", min).put("maximum", max);
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param name the property
         * @param description what it means
         */
        public Schema flag(String name, String description) {
            property(name, "boolean", description, false);
            return this;
        }

        /**
         * Marks properties already added as ones the object always has, such as an integer or a flag of an output.
         *
         * @param names properties added before
         * @return this builder
         * @throws IllegalArgumentException naming the property if it was not added
         */
        public Schema require(String... names) {
            for (String name : names) {
                if (!properties.has(name)) {
                    throw new IllegalArgumentException("required property '" + name + "' is not in the schema");
                }
                if (!required.contains(name)) {
                    required.add(name);
                }
            }
            return this;
        }

        /** {@return the schema} */
        public ObjectNode build() {
            if (!required.isEmpty()) {
                var list = root.putArray("required");
                required.forEach(list::add);
            }
            return root;
        }
    }
}
