package org.codeengine.plugin.mcp;

import org.codeengine.api.NonRetriableException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A JSON-RPC error: the other side answered a request with an error object, or a handler of this side refuses one. A
 * handler that throws it answers with its code, message and data; any other exception of a handler answers
 * {@link #INTERNAL_ERROR} without its message, so nothing internal leaks.
 */
public class McpException extends NonRetriableException {
    private static final long serialVersionUID = 1L;
    /** The message was not JSON. */
    public static final int PARSE_ERROR = -32700;
    /** The message was JSON but no valid JSON-RPC message. */
    public static final int INVALID_REQUEST = -32600;
    /** No such method. */
    public static final int METHOD_NOT_FOUND = -32601;
    /** The parameters break the method's rules. */
    public static final int INVALID_PARAMS = -32602;
    /** The handler failed. */
    public static final int INTERNAL_ERROR = -32603;
    /** MCP: the resource does not exist. */
    public static final int RESOURCE_NOT_FOUND = -32002;
    /** MCP 2026-07-28: an HTTP header disagrees with the message (or is missing where the message needs it). */
    public static final int HEADER_MISMATCH = -32020;
    /** MCP 2026-07-28: the request needs a client capability the client did not declare. */
    public static final int MISSING_CAPABILITY = -32021;
    /** MCP 2026-07-28: the server does not speak the protocol version the request names. */
    public static final int UNSUPPORTED_VERSION = -32022;

    private final int code;
    private final transient @Nullable JsonNode data;

    /**
     * @param code the JSON-RPC error code
     * @param message a message without secrets; it is sent to the other side
     * @param data more about the error, or null
     */
    public McpException(int code, String message, @Nullable JsonNode data) {
        super(message, null);
        this.code = code;
        this.data = data;
    }

    /** {@return the JSON-RPC error code} */
    public int code() {
        return code;
    }

    /** {@return the error's {@code data}, or null} */
    public @Nullable JsonNode data() {
        return data;
    }
}
