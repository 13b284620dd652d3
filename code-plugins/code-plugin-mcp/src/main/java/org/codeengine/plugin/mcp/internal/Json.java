package org.codeengine.plugin.mcp.internal;

import org.codeengine.plugin.mcp.McpException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** JSON-RPC messages: the mapper with limits against hostile input, and builders of the message shapes. */
public final class Json {
    /** The largest message read, in bytes (16 MiB). */
    public static final int MAX_MESSAGE = 16 * 1024 * 1024;

    /** A mapper whose parser refuses nesting deeper than 128 and strings over 16 MiB. */
    public static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(128).maxStringLength(MAX_MESSAGE).maxNumberLength(1000)
                    .build())
            .build()).build();

    private Json() {}

    /**
     * @throws McpException with {@link McpException#PARSE_ERROR} if it is not one JSON value
     */
    public static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new McpException(McpException.PARSE_ERROR, "parse error: no JSON value", null);
            }
            return node;
        } catch (JacksonException e) {
            throw new McpException(McpException.PARSE_ERROR, "parse error: the message is not valid JSON", null);
        }
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    public static ArrayNode array() {
        return JSON.createArrayNode();
    }

    /** @return whether it is a valid request id: a string or an integer, never null */
    public static boolean validId(JsonNode id) {
        return id.isString() || id.isIntegralNumber();
    }

    public static ObjectNode request(JsonNode id, String method, ObjectNode params) {
        ObjectNode m = object().put("jsonrpc", "2.0");
        m.set("id", id);
        m.put("method", method);
        m.set("params", params);
        return m;
    }

    public static ObjectNode notification(String method, ObjectNode params) {
        ObjectNode m = object().put("jsonrpc", "2.0").put("method", method);
        if (!params.isEmpty()) {
            m.set("params", params);
        }
        return m;
    }

    public static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode m = object().put("jsonrpc", "2.0");
        m.set("id", id);
        m.set("result", result);
        return m;
    }

    /** @param id the request's id, or null when it could not be read: the answer then has no id */
    public static ObjectNode error(@Nullable JsonNode id, int code, String message, @Nullable JsonNode data) {
        ObjectNode m = object().put("jsonrpc", "2.0");
        if (id != null) {
            m.set("id", id);
        }
        ObjectNode error = m.putObject("error").put("code", code).put("message", message);
        if (data != null) {
            error.set("data", data);
        }
        return m;
    }

    /** @return the string field, or null when it is missing or no string */
    public static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    /**
     * @return the string field
     * @throws McpException with {@link McpException#INVALID_PARAMS} if it is missing or no string
     */
    public static String required(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null) {
            throw new McpException(McpException.INVALID_PARAMS, "params." + field + " must be a string", null);
        }
        return value;
    }

    /** @return the text cut to 200 characters, for messages that echo what a caller sent */
    public static String clip(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
