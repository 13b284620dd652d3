package org.codeengine.plugin.mcp;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a tool call returns (MCP's {@code CallToolResult}).
 *
 * @param content content blocks (see {@link McpContent}); copied
 * @param structuredContent the result as JSON matching the tool's output schema, or null
 * @param isError whether the tool failed; the content then says why
 */
public record McpToolResult(List<ObjectNode> content, @Nullable JsonNode structuredContent, boolean isError) {
    /** @throws IllegalArgumentException if {@code content} is null */
    public McpToolResult {
        if (content == null) {
            throw new IllegalArgumentException("content must not be null");
        }
        content = List.copyOf(content);
    }

    /** {@return a result of one text block} */
    public static McpToolResult text(String text) {
        return new McpToolResult(List.of(McpContent.text(Objects.requireNonNull(text, "text"))), null, false);
    }

    /** {@return a failure of one text block saying why} */
    public static McpToolResult error(String why) {
        return new McpToolResult(List.of(McpContent.text(Objects.requireNonNull(why, "why"))), null, true);
    }

    /** {@return a result with structured content and its JSON text as the one text block, as the spec advises} */
    public static McpToolResult structured(JsonNode structured) {
        return new McpToolResult(List.of(McpContent.text(structured.toString())), structured, false);
    }
}
