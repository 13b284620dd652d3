package org.codeengine.plugin.mcp;

import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A resource at a fixed URI that an {@link McpServer} serves.
 *
 * @param uri its URI
 * @param name its name
 * @param title a display name, or null
 * @param description what it holds, or null
 * @param mimeType its media type, or null
 * @param reader reads its contents
 */
public record McpResource(String uri, String name, @Nullable String title, @Nullable String description,
        @Nullable String mimeType, Reader reader) {
    /** Reads a resource. */
    @FunctionalInterface
    public interface Reader {
        /**
         * {@return its contents (see {@link McpContent#textResource} and {@link McpContent#blobResource})}
         *
         * @param uri the URI asked for
         * @param context the request
         * @throws Exception if it cannot be read
         */
        List<ObjectNode> read(String uri, McpRequestContext context) throws Exception;
    }

    /** @throws IllegalArgumentException if the URI, name or reader is missing */
    public McpResource {
        if (uri == null || uri.isBlank() || name == null || name.isBlank() || reader == null) {
            throw new IllegalArgumentException("a resource needs a uri, a name and a reader");
        }
    }
}
