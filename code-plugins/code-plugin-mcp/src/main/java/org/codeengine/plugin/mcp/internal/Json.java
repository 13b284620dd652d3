package org.codeengine.plugin.mcp.internal;

import java.nio.charset.StandardCharsets;
import org.codeengine.plugin.mcp.McpException;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** JSON-RPC messages: mappers with limits against hostile input, reading and writing, and builders of the shapes. */
public final class Json {
    /** The deepest nesting of arrays and objects in one message, the envelope included. */
    public static final int MAX_DEPTH = 128;
    /** The largest message a client reads, in bytes (16 MiB); a server has its own limit, 4 MiB by default. */
    public static final int MAX_MESSAGE = 16 * 1024 * 1024;

    /** The mapper for writing, and for reading what needs no bound on tokens (the client's side). */
    public static final JsonMapper JSON = mapper(-1);

    private Json() {}

    /**
     * {@return a mapper whose parser refuses nesting deeper than {@link #MAX_DEPTH}, numbers over 1,000 digits, strings
     *         over {@link #MAX_MESSAGE} characters, and more than {@code maxTokens} tokens}
     *
     * @param maxTokens the most tokens (names, values, brackets and braces) one document may hold; -1 for no bound
     */
    public static JsonMapper mapper(long maxTokens) {
        return JsonMapper.builder(JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH).maxStringLength(MAX_MESSAGE).maxNumberLength(1000).maxTokenCount(
                        maxTokens)
                .build()).build()).build();
    }

    /**
     * @throws McpException with {@link McpException#PARSE_ERROR} if it is not one JSON value
     */
    public static JsonNode parse(String text) {
        try {
            return value(JSON.readTree(text));
        } catch (JacksonException e) {
            throw unparsable(e);
        }
    }

    /**
     * Parses a message as it came over the wire: one JSON value in UTF-8 (RFC 8259), read within {@code mapper}'s
     * limits.
     *
     * @throws McpException with {@link McpException#PARSE_ERROR} if it is not valid UTF-8, not one JSON value, or
     *         breaks a limit
     */
    public static JsonNode parse(JsonMapper mapper, byte[] bytes) {
        int bad = invalidUtf8(bytes);
        if (bad >= 0) {
            throw new McpException(McpException.PARSE_ERROR, "parse error: the message is not valid UTF-8 (at byte "
                    + bad + ")", null);
        }
        try {
            return value(mapper.readTree(bytes));
        } catch (JacksonException e) {
            throw unparsable(e);
        }
    }

    private static JsonNode value(@Nullable JsonNode node) {
        if (node == null || node.isMissingNode()) {
            throw new McpException(McpException.PARSE_ERROR, "parse error: no JSON value", null);
        }
        return node;
    }

    private static McpException unparsable(JacksonException e) {
        return new McpException(McpException.PARSE_ERROR, e instanceof StreamConstraintsException
                ? "parse error: the message breaks a limit: " + clip(e.getOriginalMessage().replaceAll(
                        ", from `[^`]*`\\)", ")"))
                : "parse error: the message is not valid JSON", null);
    }

    /**
     * {@return the index of the first byte that breaks UTF-8 as RFC 3629 defines it (no overlong forms, no surrogates,
     *         nothing above U+10FFFF), or -1 when there is none}
     */
    static int invalidUtf8(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int lead = bytes[i] & 0xff;
            if (lead < 0x80) {
                i++;
                continue;
            }
            int more = lead >= 0xc2 && lead <= 0xdf
                    ? 1
                    : lead >= 0xe0 && lead <= 0xef
                            ? 2
                            : lead >= 0xf0
                                    && lead <= 0xf4 ? 3 : 0;
            if (more == 0 || i + more >= bytes.length) {
                return i;
            }
            int point = lead & (0x3f >> more);
            for (int k = 1; k <= more; k++) {
                int next = bytes[i + k] & 0xff;
                if ((next & 0xc0) != 0x80) {
                    return i;
                }
                point = point << 6 | next & 0x3f;
            }
            if (more == 2 && (point < 0x800 || point >= 0xd800 && point <= 0xdfff) || more == 3 && (point < 0x10000
                    || point > 0x10ffff)) {
                return i;
            }
            i += more + 1;
        }
        return -1;
    }

    /**
     * {@return the message in UTF-8; a string that UTF-8 cannot carry as it is (one with a lone surrogate) is escaped,
     *         so that it arrives as it was sent}
     */
    public static byte[] bytes(JsonNode message) {
        return JSON.writeValueAsBytes(message);
    }

    /** {@return the message as text, written as {@link #bytes} writes it} */
    public static String string(JsonNode message) {
        return new String(bytes(message), StandardCharsets.UTF_8);
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    public static ArrayNode array() {
        return JSON.createArrayNode();
    }

    /** {@return whether it is a valid request id: a string or an integer, never null} */
    public static boolean validId(JsonNode id) {
        return id.isString() || id.isIntegralNumber();
    }

    /**
     * {@return whether two request ids name the same request: equal strings, or integers of equal value whatever node
     *         type holds them (an id sent as a long comes back parsed as an int)}
     */
    public static boolean sameId(@Nullable JsonNode a, @Nullable JsonNode b) {
        if (a == null || b == null) {
            return false;
        }
        if (a.isIntegralNumber() && b.isIntegralNumber()) {
            return a.bigIntegerValue().equals(b.bigIntegerValue());
        }
        return a.isString() && b.isString() && a.stringValue().equals(b.stringValue());
    }

    /** {@return whether {@code array} holds the string {@code value}} */
    public static boolean contains(JsonNode array, String value) {
        for (JsonNode each : array) {
            if (value.equals(each.asString(null))) {
                return true;
            }
        }
        return false;
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

    /** {@return the string field, or null when it is missing or no string} */
    public static @Nullable String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    /**
     * {@return the string field}
     *
     * @throws McpException with {@link McpException#INVALID_PARAMS} if it is missing or no string
     */
    public static String required(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null) {
            throw new McpException(McpException.INVALID_PARAMS, "params." + field + " must be a string", null);
        }
        return value;
    }

    /** {@return the text cut to 200 characters, for messages that echo what a caller sent} */
    public static String clip(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "…";
    }
}
