/**
 * The Model Context Protocol (revision 2025-11-25, down to 2025-06-18 and 2025-03-26): a server that serves tools,
 * resources and prompts over stdio or Streamable HTTP, a client that uses any MCP server, OAuth 2.1 on both sides,
 * and adapters between MCP and CODE's tool registry. Streamable HTTP runs on a small HTTP/1.1 server of its own or, through
 * {@code McpServlet}, in a Jakarta Servlet container. Depends on code-api, code-plugin-support and code-schema only.
 */
module org.codeengine.plugin.mcp {
    requires transitive org.codeengine.api;
    requires org.codeengine.plugin.support;
    requires org.codeengine.schema;
    requires transitive java.net.http;
    // the tests' local servers (authorization server, fixtures) are the JDK's; the MCP server has its own
    requires jdk.httpserver;
    requires com.nimbusds.jose.jwt;
    // McpServlet alone uses it, in a container that provides it; the rest of the plugin works without it. Not
    // transitive: that would make every module compiled against this one need it; a host that uses McpServlet
    // requires jakarta.servlet itself
    requires static jakarta.servlet;

    exports org.codeengine.plugin.mcp;
}
