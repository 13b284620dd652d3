package org.codeengine.api.tools;

import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * What a tool call returned.
 *
 * @param text the result as text for a person or a model
 * @param structured the result as JSON, or {@code null}
 * @param error whether the tool reports that it failed (MCP's {@code isError}); the text then says why
 */
public record ToolResult(String text, @Nullable JsonNode structured, boolean error) {
    /** Checks that {@code text} is present. */
    public ToolResult {
        Checks.notNull(text, "text");
    }

    /** {@return the structured result, if the tool gave one} */
    public Optional<JsonNode> structuredContent() {
        return Optional.ofNullable(structured);
    }
}
