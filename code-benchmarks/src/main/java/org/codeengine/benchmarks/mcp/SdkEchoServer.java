package org.codeengine.benchmarks.mcp;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The baseline of {@link McpLoad}: the official MCP Java SDK's server with the same one tool as {@link EchoServer},
 * {@code echo}, which answers its {@code text} argument (the SDK checks it against the input schema first, as CODE
 * does). Its stateful Streamable HTTP transport is a servlet; it runs in Jetty 12 (EE 10) with Jetty's defaults, on a
 * free loopback port. Prints {@code endpoint URI} as its first line and stops when its stdin closes.
 */
public final class SdkEchoServer {
    private SdkEchoServer() {}

    /**
     * @param args none
     * @throws Exception if Jetty does not start
     */
    @SuppressWarnings("deprecation") // Tool.builder(): 2.2.0's stateful server still takes this Tool
    public static void main(String[] args) throws Exception {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .mcpEndpoint("/mcp").build();
        McpSchema.Tool tool = McpSchema.Tool.builder().name("echo").description("Answers its text").inputSchema(Map.of(
                "type", "object", "properties", Map.of("text", Map.of("type", "string")), "required", List.of(
                        "text")))
                .build();
        McpSyncServer mcp = McpServer.sync(transport).serverInfo("sdk-bench-echo", "1").capabilities(
                McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(new McpServerFeatures.SyncToolSpecification(
                        tool, (exchange, request) -> McpSchema.CallToolResult.builder().addTextContent(String.valueOf(
                                request.arguments().get("text"))).build()))
                .build();
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        ServletHolder holder = new ServletHolder(transport);
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/mcp");
        jetty.setHandler(context);
        jetty.start();
        try {
            System.out.println("endpoint http://127.0.0.1:" + connector.getLocalPort() + "/mcp");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                // runs until the load run closes stdin or ends
            }
        } finally {
            mcp.close();
            jetty.stop();
        }
    }
}
