/**
 * MCP for hosts: {@link org.codeengine.plugin.mcp.McpServer} serves tools, resources and prompts;
 * {@link org.codeengine.plugin.mcp.McpClient} uses another server's; {@link org.codeengine.plugin.mcp.McpToolProvider}
 * turns a client into a tool provider of CODE.
 */
@NullMarked
package org.codeengine.plugin.mcp;

import org.jspecify.annotations.NullMarked;
