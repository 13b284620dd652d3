package org.codeengine.api.spi;

import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The form a reply must take, where the provider's API can enforce it.
 *
 * @param kind free text, any JSON object, or JSON matching a schema
 * @param name the schema's name (some APIs require one), or {@code null}
 * @param schema the JSON Schema for {@link Kind#JSON_SCHEMA}, else {@code null}
 */
public record ResponseFormat(Kind kind, @Nullable String name, @Nullable JsonNode schema) {
    /** Which form. */
    public enum Kind {
        /** Free text. */
        TEXT,
        /** A JSON object. */
        JSON,
        /** JSON matching {@link ResponseFormat#schema()}. */
        JSON_SCHEMA
    }

    /** Free text. */
    public static final ResponseFormat TEXT = new ResponseFormat(Kind.TEXT, null, null);
    /** Any JSON object. */
    public static final ResponseFormat JSON = new ResponseFormat(Kind.JSON, null, null);

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a schema is missing for JSON_SCHEMA or given for another kind
     */
    public ResponseFormat {
        Checks.notNull(kind, "kind");
        if ((kind == Kind.JSON_SCHEMA) != (schema != null)) {
            throw new IllegalArgumentException("schema must be given exactly when kind is JSON_SCHEMA");
        }
    }

    /**
     * {@return JSON matching the schema}
     *
     * @param name the schema's name
     * @param schema the JSON Schema
     */
    public static ResponseFormat jsonSchema(String name, JsonNode schema) {
        return new ResponseFormat(Kind.JSON_SCHEMA, Checks.notBlank(name, "name"), Checks.notNull(schema, "schema"));
    }
}
