package org.codeengine.api.spi;

import java.util.List;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import tools.jackson.databind.JsonNode;

/** A plugin that offers tools (its own, or another MCP server's). */
public interface ToolProvider extends Plugin {
    /** @return the tools it offers now */
    List<ToolDescriptor> tools();

    /**
     * @param tool the tool's name
     * @param arguments arguments already checked against the tool's input schema
     * @param context the allowed caller
     * @return the result; the tool's own failure is a result with {@code error} set
     * @throws NotFoundException if the provider has no such tool
     */
    ToolResult call(String tool, JsonNode arguments, ToolContext context);
}
