package org.codeengine.plugin.mcp.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import org.codeengine.plugin.mcp.McpException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Facts of the protocol both sides share: revisions, log levels, pagination cursors. */
public final class Protocol {
    /** The newest revision, which this side prefers. */
    public static final String LATEST = "2025-11-25";
    /** Every revision spoken, newest first. */
    public static final List<String> VERSIONS = List.of(LATEST, "2025-06-18", "2025-03-26");
    /**
     * The stateless revision: no {@code initialize} and no session; every request names its version and the client's
     * capabilities in its {@code _meta}. Spoken by the server over Streamable HTTP.
     */
    public static final String STATELESS = "2026-07-28";
    /** The request {@code _meta} key of the protocol version on the stateless wire. */
    public static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
    /** The request {@code _meta} key of the client's capabilities on the stateless wire. */
    public static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
    /** The request {@code _meta} key of the client's name and version on the stateless wire. */
    public static final String META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
    /** The request {@code _meta} key of the least severe log level the client wants; none means no log messages. */
    public static final String META_LOG_LEVEL = "io.modelcontextprotocol/logLevel";
    /** The revision an HTTP request without {@code MCP-Protocol-Version} is taken to speak. */
    public static final String HTTP_DEFAULT = "2025-03-26";
    /** Log levels, least severe first (RFC 5424 order). */
    public static final List<String> LEVELS = List.of("debug", "info", "notice", "warning", "error", "critical",
            "alert", "emergency");

    private Protocol() {}

    /** {@return the revision to answer an {@code initialize} asking for {@code requested} with} */
    public static String negotiate(@Nullable String requested) {
        return requested != null && VERSIONS.contains(requested) ? requested : LATEST;
    }

    /** {@return the severity of a level, or -1 when it is none} */
    public static int severity(String level) {
        return LEVELS.indexOf(level);
    }

    /**
     * Puts one page of {@code items} into {@code result} under {@code field}, with {@code nextCursor} when more follow.
     *
     * @throws McpException with {@link McpException#INVALID_PARAMS} if the cursor is not one this side gave out
     */
    public static <T> ObjectNode page(ObjectNode params, List<T> items, int pageSize, String field,
            Function<T, JsonNode> render) {
        int offset = 0;
        JsonNode cursor = params.get("cursor");
        if (cursor != null && !cursor.isNull()) {
            offset = offset(cursor);
        }
        ObjectNode result = Json.object();
        ArrayNode array = result.putArray(field);
        int end = Math.min(items.size(), offset + pageSize);
        for (int i = Math.min(offset, items.size()); i < end; i++) {
            array.add(render.apply(items.get(i)));
        }
        if (end < items.size()) {
            result.put("nextCursor", Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + end).getBytes(
                    StandardCharsets.UTF_8)));
        }
        return result;
    }

    private static int offset(JsonNode cursor) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(cursor.asString("")), StandardCharsets.UTF_8);
            if (decoded.startsWith("o:")) {
                int offset = Integer.parseInt(decoded.substring(2));
                if (offset >= 0) {
                    return offset;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the error
        }
        throw new McpException(McpException.INVALID_PARAMS, "invalid cursor", null);
    }
}
