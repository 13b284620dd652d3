package org.codeengine.plugin.mcp;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Resources whose URIs follow a template (RFC 6570 simple expansion, such as {@code test://template/{id}/data}).
 *
 * @param uriTemplate the template
 * @param name its name
 * @param title a display name, or null
 * @param description what its resources hold, or null
 * @param mimeType their media type, or null
 * @param reader reads one resource, given the values of the template's variables
 * @param completions completes the values of variables, by variable name; copied
 */
public record McpResourceTemplate(String uriTemplate, String name, @Nullable String title,
        @Nullable String description, @Nullable String mimeType, Reader reader, Map<String, Completer> completions) {
    /** Reads one resource of a template. */
    @FunctionalInterface
    public interface Reader {
        /**
         * {@return its contents}
         *
         * @param uri the URI asked for
         * @param variables the template's variables as they appear in it
         * @param context the request
         * @throws Exception if it cannot be read
         */
        List<ObjectNode> read(String uri, Map<String, String> variables, McpRequestContext context) throws Exception;
    }

    /** @throws IllegalArgumentException if the template, name or reader is missing */
    public McpResourceTemplate {
        if (uriTemplate == null || uriTemplate.isBlank() || name == null || name.isBlank() || reader == null) {
            throw new IllegalArgumentException("a resource template needs a uriTemplate, a name and a reader");
        }
        completions = Map.copyOf(completions == null ? Map.of() : completions);
    }
}
