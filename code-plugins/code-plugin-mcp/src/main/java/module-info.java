/**
 * The Model Context Protocol (revision 2025-11-25, down to 2025-06-18 and 2025-03-26): a server that serves tools,
 * resources and prompts over stdio or Streamable HTTP, a client that uses any MCP server, OAuth 2.1 on both sides,
 * and adapters between MCP and CODE's tool registry. Depends on code-api and code-plugin-support only.
 */
module org.codeengine.plugin.mcp {
    requires transitive org.codeengine.api;
    requires org.codeengine.plugin.support;
    requires transitive java.net.http;
    requires jdk.httpserver;
    requires com.nimbusds.jose.jwt;

    exports org.codeengine.plugin.mcp;
}
