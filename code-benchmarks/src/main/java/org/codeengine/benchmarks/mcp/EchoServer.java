package org.codeengine.benchmarks.mcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.codeengine.plugin.mcp.McpHttpServer;
import org.codeengine.plugin.mcp.McpServer;
import org.codeengine.plugin.mcp.McpTool;
import org.codeengine.plugin.mcp.McpToolResult;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server side of {@link McpRoundTripBenchmark}, a process of its own: one tool, {@code echo}, that answers its
 * {@code text} argument (checked against its input schema first, as every call is). {@code --stdio} serves stdin and
 * stdout; {@code --http} serves Streamable HTTP on a free loopback port, prints {@code endpoint URI} as its first line,
 * and stops when its stdin closes, so it never outlives the benchmark.
 */
public final class EchoServer {
    private EchoServer() {}

    /** {@return the server} */
    static McpServer server() {
        ObjectNode schema = JsonMapper.shared().createObjectNode().put("type", "object");
        schema.putObject("properties").putObject("text").put("type", "string");
        schema.putArray("required").add("text");
        return McpServer.builder().info("code-bench-echo", "1").tool(McpTool.of("echo", "Answers its text", schema,
                (arguments, context) -> McpToolResult.text(arguments.path("text").asString()))).build();
    }

    /**
     * @param args {@code --stdio} or {@code --http}
     * @throws IOException if stdin fails
     */
    public static void main(String[] args) throws IOException {
        McpServer server = server();
        if (args.length == 1 && args[0].equals("--stdio")) {
            server.serveStdio(System.in, System.out);
        } else if (args.length == 1 && args[0].equals("--http")) {
            try (McpHttpServer http = server.startHttp(McpHttpServer.Options.loopback(0))) {
                System.out.println("endpoint " + http.endpoint());
                System.out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                while (in.readLine() != null) {
                    // runs until the benchmark closes stdin or ends
                }
            }
        } else {
            System.err.println("usage: EchoServer --stdio | --http");
            System.exit(2);
        }
    }
}
