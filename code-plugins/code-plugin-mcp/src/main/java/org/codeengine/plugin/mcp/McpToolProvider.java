package org.codeengine.plugin.mcp;

import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.mcp.internal.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The tools of a connected MCP server as a CODE {@link ToolProvider}: register it on the engine and its tools appear
 * in the engine's registry, where every call is checked, rate-limited and audited before it goes to the server. Made by
 * {@link McpClient#asToolProvider(String)}; closing the client ends it.
 */
public final class McpToolProvider implements ToolProvider {
    private final String name;
    private final McpClient client;

    McpToolProvider(String name, McpClient client) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("name must be lower case letters, digits, '.', '_' or '-' but was "
                    + name);
        }
        this.name = name;
        this.client = client;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    /** {@return the server's tools now (asked each time, so a changed list shows)} */
    @Override
    public List<ToolDescriptor> tools() {
        List<ToolDescriptor> tools = new ArrayList<>();
        for (JsonNode tool : client.listTools()) {
            String toolName = Json.text(tool, "name");
            JsonNode schema = tool.get("inputSchema");
            if (toolName == null || !toolName.matches("[A-Za-z0-9_.-]{1,128}")) {
                continue; // a name CODE cannot carry is left out rather than renamed
            }
            String description = Json.text(tool, "description");
            tools.add(new ToolDescriptor(toolName, description == null ? "" : description, schema != null && schema
                    .isObject() ? schema : Json.object().put("type", "object")));
        }
        return tools;
    }

    @Override
    public ToolResult call(String tool, JsonNode arguments, ToolContext context) {
        McpToolResult result;
        try {
            result = client.callTool(tool, arguments);
        } catch (McpException e) {
            if (e.code() == McpException.INVALID_PARAMS && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains(
                    "unknown tool")) {
                throw new NotFoundException("the MCP server " + name + " has no tool " + tool, e);
            }
            throw e;
        }
        StringBuilder text = new StringBuilder();
        for (ObjectNode block : result.content()) {
            if ("text".equals(Json.text(block, "type"))) {
                text.append(text.isEmpty() ? "" : "\n").append(block.path("text").asString(""));
            }
        }
        return new ToolResult(text.toString(), result.structuredContent(), result.isError());
    }

    @Override
    public String toString() {
        return "McpToolProvider[" + name + ", " + client + "]";
    }
}
