package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The client on the stateless revision (2026-07-28) against a hand-written server on 127.0.0.1. */
class McpClientStatelessTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String STATELESS = "2026-07-28";

    /** One POST as the server saw it. */
    private record Seen(Headers headers, JsonNode body) {
        String method() {
            return body.path("method").asString("");
        }
    }

    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private HttpServer server;

    /** @param answer the result (or a whole error message, when it has "error") for each request */
    private URI serve(Function<JsonNode, String> answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/mcp", ex -> {
            try (ex) {
                if (!"POST".equals(ex.getRequestMethod())) {
                    ex.sendResponseHeaders(405, -1);
                    return;
                }
                JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
                seen.add(new Seen(ex.getRequestHeaders(), body));
                if (!body.has("id")) {
                    ex.sendResponseHeaders(202, -1);
                    return;
                }
                String reply = answer.apply(body);
                int status = 200;
                String message;
                if (reply.startsWith("{\"error\"")) {
                    status = 400;
                    message = "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + "," + reply.substring(1);
                } else {
                    message = "{\"jsonrpc\":\"2.0\",\"id\":" + body.get("id") + ",\"result\":" + reply + "}";
                }
                byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(status, bytes.length);
                ex.getResponseBody().write(bytes);
            }
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/mcp");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static String discover() {
        return "{\"resultType\":\"complete\",\"supportedVersions\":[\"" + STATELESS + "\"],\"capabilities\":"
                + "{\"tools\":{}},\"serverInfo\":{\"name\":\"stateless\",\"version\":\"1\"}}";
    }

    @Test
    void connect_speaksTheStatelessRevision_withMetaAndHeadersOnEveryRequest() throws Exception {
        URI url = serve(m -> switch (m.path("method").asString()) {
            case "server/discover" -> discover();
            case "tools/list" -> "{\"tools\":[]}";
            default -> "{\"error\":{\"code\":-32601,\"message\":\"no\"}}";
        });
        try (McpClient client = McpClient.builder().info("t", "1").connect(url)) {
            assertThat(client.protocolVersion()).isEqualTo(STATELESS);
            assertThat(client.serverInfo().path("name").asString()).isEqualTo("stateless");
            assertThat(client.listTools()).isEmpty();
        }
        assertThat(seen).extracting(Seen::method).containsExactly("server/discover", "tools/list");
        for (Seen s : seen) {
            JsonNode meta = s.body().path("params").path("_meta");
            assertThat(meta.path("io.modelcontextprotocol/protocolVersion").asString()).isEqualTo(STATELESS);
            assertThat(meta.path("io.modelcontextprotocol/clientCapabilities").isObject()).isTrue();
            assertThat(meta.path("io.modelcontextprotocol/clientInfo").path("name").asString()).isEqualTo("t");
            assertThat(s.headers().getFirst("MCP-Protocol-Version")).isEqualTo(STATELESS);
            assertThat(s.headers().getFirst("Mcp-Method")).isEqualTo(s.method());
            assertThat(s.headers().containsKey("Mcp-Session-Id")).isFalse();
        }
    }

    /** A server that refuses the version asked for and names the one it speaks gets the request once more. */
    @Test
    void connect_asksAgain_whenTheServerRefusesTheVersionButNamesIt() throws Exception {
        URI url = serve(m -> seen.size() == 1
                ? "{\"error\":{\"code\":-32022,\"message\":\"Unsupported protocol version\",\"data\":"
                        + "{\"supported\":[\"" + STATELESS + "\"]}}}"
                : discover());
        try (McpClient client = McpClient.builder().connect(url)) {
            assertThat(client.protocolVersion()).isEqualTo(STATELESS);
        }
        assertThat(seen).extracting(Seen::method).containsExactly("server/discover", "server/discover");
    }

    /** A server of the handshake revisions refuses server/discover; the client initializes as before. */
    @Test
    void connect_initializes_whenTheServerDoesNotKnowDiscover() throws Exception {
        URI url = serve(m -> switch (m.path("method").asString()) {
            case "initialize" -> "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"serverInfo\":"
                    + "{\"name\":\"old\",\"version\":\"1\"}}";
            case "server/discover" -> "{\"error\":{\"code\":-32601,\"message\":\"method not found\"}}";
            default -> "{}";
        });
        try (McpClient client = McpClient.builder().connect(url)) {
            assertThat(client.protocolVersion()).isEqualTo("2025-11-25");
            client.ping();
        }
        assertThat(seen).extracting(Seen::method).containsExactly("server/discover", "initialize",
                "notifications/initialized", "ping");
        assertThat(seen.get(3).body().path("params").has("_meta")).isFalse();
    }

    /**
     * An input_required result: the client answers its input requests with its own handlers and sends the call
     * again, a new request with the answers and the server's requestState exactly as it came.
     */
    @Test
    void callTool_answersInputRequests_andEchoesTheRequestState() throws Exception {
        String state = "{\"opaque\":\"s-1\"}";
        URI url = serve(m -> switch (m.path("method").asString()) {
            case "server/discover" -> discover();
            case "tools/call" -> m.path("params").has("inputResponses")
                    ? "{\"content\":[{\"type\":\"text\",\"text\":\"done\"}]}"
                    : "{\"resultType\":\"input_required\",\"inputRequests\":{\"confirm\":{\"method\":"
                            + "\"elicitation/create\",\"params\":{\"message\":\"sure?\",\"requestedSchema\":"
                            + "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\",\"default\":true}}}}"
                            + "}},\"requestState\":" + JSON.writeValueAsString(state) + "}";
            default -> "{}";
        });
        try (McpClient client = McpClient.builder().elicitation((message, schema) -> JSON.readTree(
                "{\"action\":\"accept\",\"content\":{}}")).connect(url)) {
            McpToolResult result = client.callTool("deploy", JSON.createObjectNode());
            assertThat(result.content().getFirst().path("text").asString()).isEqualTo("done");
        }
        List<Seen> calls = seen.stream().filter(s -> s.method().equals("tools/call")).toList();
        assertThat(calls).hasSize(2);
        JsonNode retry = calls.get(1).body();
        assertThat(retry.get("id")).isNotEqualTo(calls.get(0).body().get("id"));
        assertThat(retry.path("params").path("requestState").asString()).isEqualTo(state);
        assertThat(retry.path("params").path("inputResponses").path("confirm").path("action").asString())
                .isEqualTo("accept");
        assertThat(retry.path("params").path("inputResponses").path("confirm").path("content").path("ok")
                .asBoolean()).isTrue();
        assertThat(calls.get(0).body().path("params").has("requestState")).isFalse();
    }

    /**
     * x-mcp-header: each annotated argument goes in an Mcp-Param header (Base64 where it is not plain printable
     * ASCII, none when null), and a tool whose annotation is invalid is left out of the list.
     */
    @Test
    void callTool_mirrorsAnnotatedArgumentsIntoHeaders_andListsNoToolWithAnInvalidAnnotation() throws Exception {
        URI url = serve(m -> switch (m.path("method").asString()) {
            case "server/discover" -> discover();
            case "tools/list" -> """
                    {"tools":[
                      {"name":"good","inputSchema":{"type":"object","properties":{
                        "region":{"type":"string","x-mcp-header":"Region"},
                        "count":{"type":"integer","x-mcp-header":"Count"},
                        "note":{"type":"string","x-mcp-header":"Note"},
                        "off":{"type":"boolean","x-mcp-header":"Off"},
                        "free":{"type":"string"}}}},
                      {"name":"bad-number","inputSchema":{"type":"object","properties":{
                        "score":{"type":"number","x-mcp-header":"Score"}}}},
                      {"name":"bad-twice","inputSchema":{"type":"object","properties":{
                        "a":{"type":"string","x-mcp-header":"Same"},"b":{"type":"string","x-mcp-header":"same"}}}},
                      {"name":"bad-space","inputSchema":{"type":"object","properties":{
                        "a":{"type":"string","x-mcp-header":"My Header"}}}}
                    ]}""";
            default -> "{\"content\":[]}";
        });
        try (McpClient client = McpClient.builder().connect(url)) {
            assertThat(client.listTools()).extracting(t -> t.path("name").asString()).containsExactly("good");
            ObjectNode args = JSON.createObjectNode().put("region", "us-west1").put("count", 42).put("note",
                    " Grüße ").put("free", "x");
            args.putNull("off");
            client.callTool("good", args);
        }
        Headers call = seen.stream().filter(s -> s.method().equals("tools/call")).findFirst().orElseThrow()
                .headers();
        assertThat(call.getFirst("Mcp-Name")).isEqualTo("good");
        assertThat(call.getFirst("Mcp-Param-Region")).isEqualTo("us-west1");
        assertThat(call.getFirst("Mcp-Param-Count")).isEqualTo("42");
        assertThat(call.getFirst("Mcp-Param-Note")).isEqualTo("=?base64?" + Base64.getEncoder().encodeToString(
                " Grüße ".getBytes(StandardCharsets.UTF_8)) + "?=");
        assertThat(call.containsKey("Mcp-Param-Off")).isFalse();
        assertThat(call.keySet()).noneMatch(h -> h.equalsIgnoreCase("Mcp-Param-Free"));
    }
}
