package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class McpHttpServerTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private McpHttpServer http;
    private final HttpClient raw = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        ObjectNode schema = (ObjectNode) JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[\"n\"]}");
        McpServer server = McpServer.builder().info("test", "1").pageSize(2).tool(McpTool.of("square", "Squares n",
                schema, (args, ctx) -> {
                    ctx.progress(1, 1, null);
                    long n = args.path("n").asLong();
                    return McpToolResult.structured(JSON.createObjectNode().put("square", n * n));
                })).tool(McpTool.of("a", "a", JSON.createObjectNode().put("type", "object"), (args,
                        ctx) -> McpToolResult.text("a")))
                .tool(McpTool.of("b", "b", JSON.createObjectNode().put(
                        "type", "object"), (args, ctx) -> McpToolResult.text("b")))
                .build();
        http = server.startHttp(McpHttpServer.Options.loopback(0));
    }

    @AfterEach
    void stop() {
        http.close();
    }

    private HttpResponse<String> post(String body, Map<String, String> headers) throws IOException,
            InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.endpoint()).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(
                        body));
        headers.forEach(b::header);
        return raw.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String session() throws IOException, InterruptedException {
        HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}",
                Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).path("result").path("protocolVersion").asString()).isEqualTo("2025-11-25");
        return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    @Test
    void jsonRpcErrors_carryTheSpecCodes_andNeverANullId() throws Exception {
        String id = session();
        JsonNode unknown = JSON.readTree(post("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"nope\"}", Map.of(
                "Mcp-Session-Id", id)).body());
        assertThat(unknown.path("error").path("code").asInt()).isEqualTo(-32601);
        assertThat(unknown.path("id").asInt()).isEqualTo(7);
        HttpResponse<String> malformed = post("{\"jsonrpc\":", Map.of("Mcp-Session-Id", id));
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).path("error").path("code").asInt()).isEqualTo(-32700);
        JsonNode nullId = JSON.readTree(post("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", Map.of(
                "Mcp-Session-Id", id)).body());
        assertThat(nullId.path("error").path("code").asInt()).isEqualTo(-32600);
        assertThat(nullId.has("id")).isFalse();
        JsonNode badParams = JSON
                .readTree(post("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"tools/list\",\"params\":[1]}",
                        Map.of("Mcp-Session-Id", id)).body());
        assertThat(badParams.path("error").path("code").asInt()).isEqualTo(-32602);
        JsonNode batch = JSON.readTree(post("[{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}]", Map.of(
                "Mcp-Session-Id", id)).body());
        assertThat(batch.path("error").path("code").asInt()).as("no batches in 2025-11-25").isEqualTo(-32600);
    }

    @Test
    void sessions_unknownIs404_deleteEndsOne_andForeignHostsAreRefused() throws Exception {
        String id = session();
        assertThat(post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", Map.of("Mcp-Session-Id", "nope"))
                .statusCode()).isEqualTo(404);
        assertThat(post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", Map.of()).statusCode()).isEqualTo(400);
        assertThat(post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", Map.of("Mcp-Session-Id", id,
                "MCP-Protocol-Version", "1999-01-01")).statusCode()).isEqualTo(400);
        assertThat(post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", Map.of("Mcp-Session-Id", id, "Origin",
                "http://evil.example")).statusCode()).isEqualTo(403);
        assertThat(http.sessionCount()).isEqualTo(1);
        HttpResponse<Void> deleted = raw.send(HttpRequest.newBuilder(http.endpoint()).header("Mcp-Session-Id", id)
                .DELETE().build(), HttpResponse.BodyHandlers.discarding());
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(http.sessionCount()).isZero();
        assertThat(post("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}", Map.of("Mcp-Session-Id", id))
                .statusCode()).isEqualTo(404);
    }

    @Test
    void client_pagesThroughTools_validatesArguments_andHearsProgress() {
        try (McpClient client = McpClient.builder().connect(http.endpoint())) {
            assertThat(client.listTools()).extracting(t -> t.path("name").asString()).containsExactly("square", "a",
                    "b");
            List<Double> progress = new CopyOnWriteArrayList<>();
            McpToolResult ok = client.callTool("square", JSON.readTree("{\"n\":12}"), (p, params) -> progress.add(p));
            assertThat(ok.isError()).isFalse();
            assertThat(ok.structuredContent().path("square").asInt()).isEqualTo(144);
            assertThat(progress).containsExactly(1.0);
            McpToolResult bad = client.callTool("square", JSON.readTree("{\"n\":0}"));
            assertThat(bad.isError()).isTrue();
            assertThat(bad.content().get(0).path("text").asString()).contains("$.n: must be at least 1");
            assertThatThrownBy(() -> client.callTool("missing", JSON.createObjectNode())).isInstanceOf(
                    McpException.class).extracting(e -> ((McpException) e).code()).isEqualTo(-32602);
        }
    }

    @Test
    void endpoint_isOnLoopback() {
        assertThat(http.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + http.port() + "/mcp"));
    }
}
