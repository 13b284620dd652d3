package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.security.Principal;
import org.codeengine.plugin.mcp.internal.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Streamable HTTP scenarios every server of {@link StreamableHttp} must pass, run against each: the JDK's
 * HttpServer ({@link McpHttpServerTest}) and a servlet container ({@link McpServletTest}). The same assertions cover
 * both, so the transport logic is known to be one.
 */
abstract class StreamableHttpScenarios {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A running server of the transport, on loopback. */
    interface Served extends AutoCloseable {
        /** {@return the MCP endpoint's URI} */
        URI endpoint();

        /** {@return how many sessions the transport holds} */
        int sessionCount();

        @Override
        void close();
    }

    /** Starts {@code server} on loopback with these options; the endpoint is {@code /mcp}. */
    abstract Served serve(McpServer server, McpHttpServer.Options options);

    McpServer server;
    Served http;
    final HttpClient raw = HttpClient.newHttpClient();
    /** The tool {@code block}: it says when it starts waiting, and whether a cancel interrupted it. */
    final BlockingQueue<String> blocked = new LinkedBlockingQueue<>();

    @BeforeEach
    void start() {
        ObjectNode schema = (ObjectNode) JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1}},\"required\":[\"n\"]}");
        ObjectNode anything = JSON.createObjectNode().put("type", "object");
        server = McpServer.builder().info("test", "1").pageSize(2).tool(McpTool.of("square", "Squares n", schema, (
                args, ctx) -> {
            ctx.progress(1, 1, null);
            long n = args.path("n").asLong();
            return McpToolResult.structured(JSON.createObjectNode().put("square", n * n));
        })).tool(McpTool.of("a", "a", anything, (args, ctx) -> McpToolResult.text("a"))).tool(McpTool.of("b", "b",
                anything, (args, ctx) -> McpToolResult.text("b"))).tool(McpTool.of("poll",
                        "Closes its stream halfway", anything, (args, ctx) -> {
                            ctx.progress(1, 2, null);
                            ctx.closeStream();
                            ctx.progress(2, 2, null);
                            return McpToolResult.text("done");
                        }))
                .tool(McpTool.of("where", "Names the thread it runs on", anything, (args,
                        ctx) -> McpToolResult.text(Thread.currentThread().getName())))
                .tool(McpTool.of(
                        "block", "Waits until interrupted", anything, (args, ctx) -> {
                            blocked.add("started");
                            try {
                                Thread.sleep(Duration.ofMinutes(1));
                                blocked.add("not interrupted");
                            } catch (InterruptedException e) {
                                blocked.add("interrupted");
                                throw e;
                            }
                            return McpToolResult.text("slept");
                        }))
                .build();
        http = serve(server, options());
    }

    static McpHttpServer.Options options() {
        return McpHttpServer.Options.loopback(0).withRetry(Duration.ofMillis(50));
    }

    @AfterEach
    void stop() {
        http.close();
    }

    HttpResponse<String> post(String body, Map<String, String> headers) throws IOException, InterruptedException {
        return post(http.endpoint(), body, headers);
    }

    HttpResponse<String> post(URI endpoint, String body, Map<String, String> headers) throws IOException,
            InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json").header(
                "Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return raw.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    private String session() throws IOException, InterruptedException {
        HttpResponse<String> r = post(INITIALIZE, Map.of());
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
    void toolCall_isHandledOnTheExchangesOwnThread_withoutAHandOff() throws Exception {
        Map<String, String> in = Map.of("Mcp-Session-Id", session());
        HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"where\",\"arguments\":{}}}", in);
        assertThat(r.statusCode()).isEqualTo(200);
        String thread = JSON.readTree(r.body()).path("result").path("content").path(0).path("text").asString();
        assertThat(thread).as("the handler's thread").doesNotStartWith("mcp-tools/call");
    }

    @Test
    void cancel_interruptsTheToolOnTheExchangesThread_andTheSessionGoesOn() throws Exception {
        Map<String, String> in = Map.of("Mcp-Session-Id", session());
        BlockingQueue<HttpResponse<String>> answered = new LinkedBlockingQueue<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                answered.add(post("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":"
                        + "{\"name\":\"block\",\"arguments\":{}}}", in));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(blocked.poll(10, TimeUnit.SECONDS)).isEqualTo("started");
        HttpResponse<String> cancel = post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                + "\"params\":{\"requestId\":5,\"reason\":\"no longer needed\"}}", in);
        assertThat(cancel.statusCode()).isEqualTo(202);
        assertThat(blocked.poll(10, TimeUnit.SECONDS)).isEqualTo("interrupted");
        HttpResponse<String> call = answered.poll(10, TimeUnit.SECONDS);
        assertThat(call).as("the cancelled call's POST ends").isNotNull();
        assertThat(call.body()).as("a cancelled request gets no answer").doesNotContain("\"result\"");
        caller.join(Duration.ofSeconds(5));
        HttpResponse<String> next = post("{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"where\",\"arguments\":{}}}", in);
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(next.body()).path("result").path("isError").asBoolean()).isFalse();
    }

    @Test
    void messagesTheServerCannotAccept_get400_notificationsAndBatchesToo() throws Exception {
        Map<String, String> in = Map.of("Mcp-Session-Id", session());
        // no JSON-RPC 2.0 message: no object, an id that is no id, a method that is no string, another jsonrpc; an
        // empty batch, and batches at a revision without them, even of notifications only
        for (String body : List.of("42", "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
                "{\"jsonrpc\":\"2.0\",\"method\":7}", "{\"jsonrpc\":\"1.0\",\"method\":\"notifications/initialized\"}",
                "[]", "[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}]",
                "[{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"}]")) {
            HttpResponse<String> r = post(body, in);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("error").path("code").asInt()).as(body).isEqualTo(-32600);
        }
        JsonNode withId = JSON.readTree(post("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"ping\"}", in).body());
        assertThat(withId.path("id").asInt()).as("a valid id is echoed, so the call fails at once").isEqualTo(3);
        byte[] overlong = {'{', '"', 'a', '"', ':', '"', (byte) 0xc0, (byte) 0xaf, '"', '}'};
        HttpResponse<String> badUtf8 = raw.send(HttpRequest.newBuilder(http.endpoint()).header("Content-Type",
                "application/json").header("Mcp-Session-Id", in.get("Mcp-Session-Id")).POST(HttpRequest.BodyPublishers
                        .ofByteArray(overlong))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(badUtf8.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badUtf8.body()).path("error").path("code").asInt()).isEqualTo(-32700);
        // a notification with bad params and a response to nothing are taken, and never answered
        assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\",\"params\":\"junk\"}", in)
                .statusCode()).isEqualTo(202);
        assertThat(post("{\"id\":9,\"result\":5}", in).statusCode()).isEqualTo(202);
    }

    @Test
    void initializeThatFails_leavesNoSession_andNamesNone() throws Exception {
        Map<String, Integer> statuses = Map.of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}",
                200, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":\"x\"}", 200,
                "{\"jsonrpc\":\"2.0\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\"}}", 400,
                "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"initialize\"}", 400);
        for (int i = 0; i < 3; i++) {
            for (Map.Entry<String, Integer> e : statuses.entrySet()) {
                HttpResponse<String> r = post(e.getKey(), Map.of());
                assertThat(r.statusCode()).as(e.getKey()).isEqualTo(e.getValue());
                assertThat(r.headers().firstValue("Mcp-Session-Id")).as(e.getKey()).isEmpty();
                assertThat(JSON.readTree(r.body()).has("error")).isTrue();
            }
        }
        assertThat(http.sessionCount()).isZero();
        assertThat(server.sessionCount()).as("nor any open on the server behind the transport").isZero();
        session();
        assertThat(server.sessionCount()).isEqualTo(1);
    }

    @Test
    void bodyOverTheLimit_gets413_withoutTheServerWaitingForIt() throws Exception {
        try (Served small = serve(McpServer.builder().maxMessageBytes(1024).build(), options())) {
            URI endpoint = small.endpoint();
            // a head that announces 10 MB, and no body: the answer comes all the same
            try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(head(endpoint, "Content-Length: " + (10 * 1024 * 1024 + 1)));
                assertTooLarge(socket.getInputStream());
            }
            // a body of unknown length: refused once past the limit, though the rest has not come
            try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(head(endpoint, "Transfer-Encoding: chunked"));
                out.write(("800\r\n" + "a".repeat(0x800) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertTooLarge(socket.getInputStream());
            }
            assertThat(post(endpoint, INITIALIZE, Map.of()).statusCode()).as("within the limit").isEqualTo(200);
        }
    }

    private static byte[] head(URI endpoint, String length) {
        return ("POST " + endpoint.getRawPath() + " HTTP/1.1\r\nHost: 127.0.0.1:" + endpoint.getPort()
                + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n" + length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertTooLarge(InputStream in) throws IOException {
        BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        assertThat(lines.readLine()).startsWith("HTTP/1.1 413");
        int length = -1;
        for (String header = lines.readLine(); header != null && !header.isEmpty(); header = lines.readLine()) {
            if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(header.substring(15).strip());
            }
        }
        char[] body = new char[length];
        assertThat(lines.read(body, 0, length)).isEqualTo(length);
        JsonNode error = JSON.readTree(new String(body)).path("error");
        assertThat(error.path("code").asInt()).isEqualTo(-32600);
        assertThat(error.path("message").asString()).isEqualTo("the message is larger than the limit of 1024 bytes");
    }

    private String session(URI endpoint) throws IOException, InterruptedException {
        HttpResponse<String> r = post(endpoint, INITIALIZE, Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        String id = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        assertThat(post(endpoint, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", Map.of(
                "Mcp-Session-Id", id)).statusCode()).isEqualTo(202);
        return id;
    }

    @Test
    void initializeFlood_neverLocksOutANewClient_andSparesTheSessionsInUse() throws Exception {
        try (Served small = serve(server, options().withSessions(Duration.ofMinutes(30), 5))) {
            String used = session(small.endpoint());
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> flood = post(small.endpoint(), INITIALIZE, Map.of());
                assertThat(flood.statusCode()).as("bare initialize %d", i).isEqualTo(200);
            }
            assertThat(small.sessionCount()).isEqualTo(5);
            String late = session(small.endpoint());
            for (String id : List.of(used, late)) {
                assertThat(post(small.endpoint(), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", Map.of(
                        "Mcp-Session-Id", id)).statusCode()).as("session %s", id).isEqualTo(200);
            }
        }
    }

    @Test
    void unfinishedHandshakes_expireSoon_andOneSourceHoldsNoMoreThanItsShare() throws Exception {
        McpHttpServer.Options limited = options().withSessionLimits(Duration.ofMinutes(30), 100, 3, Duration
                .ofMillis(300));
        try (Served small = serve(server, limited)) {
            String used = session(small.endpoint());
            for (int i = 0; i < 6; i++) {
                assertThat(post(small.endpoint(), INITIALIZE, Map.of()).statusCode()).isEqualTo(200);
            }
            assertThat(small.sessionCount()).as("one source, three sessions").isEqualTo(3);
            Thread.sleep(600);
            session(small.endpoint());
            assertThat(small.sessionCount()).as("the unfinished handshakes expired").isEqualTo(2);
            assertThat(post(small.endpoint(), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}", Map.of(
                    "Mcp-Session-Id", used)).statusCode()).isEqualTo(200);
        }
        assertThatThrownBy(() -> options().withSessionLimits(Duration.ofMinutes(1), 10, 0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxSessionsPerSource");
    }

    /** A request of the stateless wire (2026-07-28) with the standard headers, plus {@code extra} headers. */
    HttpResponse<String> stateless(String method, String params, Map<String, String> extra) throws IOException,
            InterruptedException {
        String meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}}}";
        String body = "{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"" + method + "\",\"params\":{" + meta + (params
                .isEmpty() ? "" : "," + params) + "}}";
        Map<String, String> headers = new java.util.HashMap<>(Map.of("MCP-Protocol-Version", "2026-07-28",
                "Mcp-Method", method));
        headers.putAll(extra);
        return post(body, headers);
    }

    @Test
    void statelessWire_needsNoSession_checksHeadersAndMeta_andEveryErrorCarriesTheId() throws Exception {
        HttpResponse<String> discover = stateless("server/discover", "", Map.of());
        assertThat(discover.statusCode()).isEqualTo(200);
        JsonNode found = JSON.readTree(discover.body()).path("result");
        assertThat(found.path("supportedVersions").toString()).contains("2026-07-28");
        assertThat(found.path("_meta").path("io.modelcontextprotocol/serverInfo").path("name").asString())
                .isEqualTo("test");
        assertThat(found.path("ttlMs").isIntegralNumber()).as("discover is cacheable").isTrue();
        assertThat(discover.headers().firstValue("Mcp-Session-Id")).isEmpty();
        JsonNode listed = JSON.readTree(stateless("tools/list", "", Map.of()).body()).path("result");
        assertThat(listed.path("resultType").asString()).isEqualTo("complete");
        assertThat(listed.path("ttlMs").isIntegralNumber()).isTrue();
        assertThat(listed.path("cacheScope").asString()).isEqualTo("private");
        HttpResponse<String> called = stateless("tools/call", "\"name\":\"square\",\"arguments\":{\"n\":3}", Map
                .of("Mcp-Name", " square "));
        assertThat(JSON.readTree(called.body()).path("result").path("structuredContent").path("square").asInt())
                .isEqualTo(9);
        assertThat(http.sessionCount()).isZero();

        record Refused(String why, HttpResponse<String> response, int status, int code) {}
        List<Refused> refused = List.of(new Refused("Mcp-Method differs", stateless("tools/list", "", Map.of(
                "Mcp-Method", "prompts/list")), 400, -32020), new Refused("Mcp-Name missing", stateless(
                        "tools/call", "\"name\":\"square\",\"arguments\":{\"n\":3}", Map.of()), 400, -32020),
                new Refused("version header differs", stateless("tools/list", "", Map.of("MCP-Protocol-Version",
                        "2099-01-01")), 400, -32020),
                new Refused("no _meta", post(
                        "{\"jsonrpc\":\"2.0\",\"id\":41,\"method\":\"tools/list\",\"params\":{}}", Map.of(
                                "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/list")),
                        400,
                        -32602),
                new Refused("initialize is gone", stateless("initialize", "", Map.of()),
                        404, -32601),
                new Refused("unknown method", stateless("nope/nope", "", Map
                        .of()), 404, -32601));
        for (Refused r : refused) {
            JsonNode body = JSON.readTree(r.response().body());
            assertThat(r.response().statusCode()).as(r.why()).isEqualTo(r.status());
            assertThat(body.path("error").path("code").asInt()).as(r.why()).isEqualTo(r.code());
            assertThat(body.path("id").asInt()).as(r.why() + ": the error names the request").isEqualTo(41);
        }
        JsonNode unsupported = JSON.readTree(post("{\"jsonrpc\":\"2.0\",\"id\":42,\"method\":\"tools/list\","
                + "\"params\":{\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2099-01-01\","
                + "\"io.modelcontextprotocol/clientCapabilities\":{}}}}",
                Map.of("MCP-Protocol-Version", "2099-01-01",
                        "Mcp-Method", "tools/list"))
                .body());
        assertThat(unsupported.path("error").path("code").asInt()).isEqualTo(-32022);
        assertThat(unsupported.path("error").path("data").path("requested").asString()).isEqualTo("2099-01-01");
        assertThat(unsupported.path("id").asInt()).isEqualTo(42);
        JsonNode gone = JSON.readTree(post("{\"jsonrpc\":\"2.0\",\"id\":43,\"method\":\"ping\"}", Map.of(
                "Mcp-Session-Id", "nope")).body());
        assertThat(gone.path("id").asInt()).as("a 404 for an unknown session names the request").isEqualTo(43);
    }

    @Test
    void inputRequired_roundTrips_withASealedState_thatCannotBeAltered() throws Exception {
        McpServer asking = McpServer.builder().info("asking", "1").tool(McpTool.of("greet", "Asks a name", JSON
                .createObjectNode().put("type", "object"), (args, ctx) -> {
                    ObjectNode schema = (ObjectNode) JSON.readTree("{\"type\":\"object\",\"properties\":"
                            + "{\"name\":{\"type\":\"string\"}}}");
                    String first = ctx.elicit("first?", schema).path("content").path("name").asString();
                    String second = ctx.elicit("second?", schema).path("content").path("name").asString();
                    return McpToolResult.text(first + " and " + second);
                })).build();
        try (Served served = serve(asking, options())) {
            URI endpoint = served.endpoint();
            Map<String, String> headers = Map.of("MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call",
                    "Mcp-Name", "greet");
            String meta = "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                    + "\"io.modelcontextprotocol/clientCapabilities\":{\"elicitation\":{}}}";
            String call = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{" + meta
                    + ",\"name\":\"greet\",\"arguments\":{}%s}}";
            JsonNode round1 = JSON.readTree(post(endpoint, call.formatted(""), headers).body()).path("result");
            assertThat(round1.path("resultType").asString()).isEqualTo("input_required");
            assertThat(round1.path("inputRequests").path("elicitation-1").path("method").asString()).isEqualTo(
                    "elicitation/create");
            String answer = ",\"inputResponses\":{\"%s\":{\"action\":\"accept\",\"content\":{\"name\":\"%s\"}}},"
                    + "\"requestState\":\"%s\"";
            JsonNode round2 = JSON.readTree(post(endpoint, call.formatted(answer.formatted("elicitation-1", "Ada",
                    round1.path("requestState").asString())), headers).body()).path("result");
            assertThat(round2.path("inputRequests").has("elicitation-2")).as(round2.toString()).isTrue();
            String state = round2.path("requestState").asString();
            JsonNode done = JSON.readTree(post(endpoint, call.formatted(answer.formatted("elicitation-2", "Grace",
                    state)), headers).body()).path("result");
            assertThat(done.path("content").path(0).path("text").asString()).isEqualTo("Ada and Grace");
            String altered = (state.charAt(0) == 'e' ? "f" : "e") + state.substring(1);
            JsonNode tampered = JSON.readTree(post(endpoint, call.formatted(answer.formatted("elicitation-2",
                    "Grace", altered)), headers).body());
            assertThat(tampered.path("error").path("code").asInt()).isEqualTo(-32602);
            assertThat(tampered.path("error").path("message").asString()).contains("requestState");
            JsonNode noCapability = JSON.readTree(post(endpoint, call.formatted("").replace("{\"elicitation\":{}}",
                    "{}"), headers).body());
            assertThat(noCapability.path("error").path("code").asInt()).isEqualTo(-32021);
            assertThat(noCapability.path("error").path("data").path("requiredCapabilities").has("elicitation"))
                    .isTrue();
        }
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
        HttpResponse<String> put = raw.send(HttpRequest.newBuilder(http.endpoint()).PUT(HttpRequest.BodyPublishers
                .noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("GET, POST, DELETE");
    }

    @Test
    void client_pagesThroughTools_validatesArguments_hearsProgress_andEndsItsSession() {
        try (McpClient client = McpClient.builder().revision(Protocol.LATEST).connect(http.endpoint())) {
            assertThat(client.listTools()).extracting(t -> t.path("name").asString()).containsExactly("square", "a",
                    "b", "poll", "where", "block");
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
            assertThat(http.sessionCount()).isEqualTo(1);
        }
        assertThat(http.sessionCount()).as("closing the client DELETEs its session").isZero();
    }

    @Test
    void anSseStream_staysResumable_afterManyJsonAnswersInItsSession() throws Exception {
        String id = session();
        Map<String, String> in = Map.of("Mcp-Session-Id", id, "MCP-Protocol-Version", "2025-11-25");
        HttpResponse<String> sse = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                + "{\"name\":\"square\",\"arguments\":{\"n\":3},\"_meta\":{\"progressToken\":\"p\"}}}", in);
        assertThat(sse.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        String first = sse.body().lines().filter(l -> l.startsWith("id: ")).findFirst().orElseThrow().substring(4);
        // more JSON answers than a session keeps streams for: none of them can be resumed, so none may push out the
        // one stream that can
        for (int i = 0; i < 80; i++) {
            HttpResponse<String> json = post("{\"jsonrpc\":\"2.0\",\"id\":" + (10 + i)
                    + ",\"method\":\"tools/call\",\"params\":{\"name\":\"a\",\"arguments\":{}}}", in);
            assertThat(json.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        }
        HttpRequest.Builder resume = HttpRequest.newBuilder(http.endpoint()).header("Accept", "text/event-stream")
                .header("Last-Event-ID", first).GET();
        in.forEach(resume::header);
        HttpResponse<String> replay = raw.send(resume.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(replay.body()).contains("\"square\":9");
    }

    @Test
    void streamClosedByTheServer_isResumedWithLastEventId_andLosesNothing() {
        pollResumes(http.endpoint());
    }

    /** Calls {@code poll}, whose stream the server closes halfway, and checks that all of it arrives. */
    static void pollResumes(URI endpoint) {
        try (McpClient client = McpClient.builder().revision(Protocol.LATEST).connect(endpoint)) {
            List<Double> progress = new CopyOnWriteArrayList<>();
            McpToolResult result = client.callTool("poll", JSON.createObjectNode(), (p, params) -> progress.add(p));
            assertThat(result.content().get(0).path("text").asString()).isEqualTo("done");
            assertThat(progress).containsExactly(1.0, 2.0);
        }
    }

    @Test
    void getStream_carriesWhatBelongsToNoRequest() throws InterruptedException {
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        try (McpClient client = McpClient.builder().revision(Protocol.LATEST)
                .onNotification((method, params) -> heard.add(method)).connect(
                        http.endpoint())) {
            // the client opens its GET stream on its own thread: tell until it hears, within a deadline
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String method = null;
            while (method == null && System.nanoTime() < deadline) {
                server.listChanged("tools");
                method = heard.poll(50, TimeUnit.MILLISECONDS);
            }
            assertThat(method).isEqualTo("notifications/tools/list_changed");
            client.ping();
        }
    }

    @Test
    void authorization_challengesWithoutAValidToken_andServesTheMetadata() throws Exception {
        McpHttpServer.Authorization auth = new McpHttpServer.Authorization(
                new BearerSecurity(token -> token.equals("good")
                        ? new Principal("alice", Principal.Kind.USER, Set.of())
                        : null),
                URI.create(
                        "https://tools.example/mcp"),
                List.of(URI.create("https://issuer.example")), List.of("mcp:tools"));
        try (Served guarded = serve(server, options().withAllowedHosts(Set.of("tools.example")).withAuthorization(
                auth))) {
            HttpResponse<String> none = post(guarded.endpoint(), INITIALIZE, Map.of());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue(
                    "Bearer resource_metadata=\"https://tools.example/.well-known/oauth-protected-resource/mcp\", "
                            + "scope=\"mcp:tools\"");
            HttpResponse<String> wrong = post(guarded.endpoint(), INITIALIZE, Map.of("Authorization", "Bearer bad"));
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.headers().firstValue("WWW-Authenticate").orElseThrow()).endsWith(
                    "error=\"invalid_token\"");
            HttpResponse<String> right = post(guarded.endpoint(), INITIALIZE, Map.of("Authorization", "Bearer good"));
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(guarded.sessionCount()).isEqualTo(1);

            HttpResponse<String> metadata = raw.send(HttpRequest.newBuilder(guarded.endpoint().resolve(
                    "/.well-known/oauth-protected-resource/mcp")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metadata.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(metadata.body());
            assertThat(body.path("resource").asString()).isEqualTo("https://tools.example/mcp");
            assertThat(body.path("authorization_servers").get(0).asString()).isEqualTo("https://issuer.example");
            assertThat(body.path("scopes_supported").get(0).asString()).isEqualTo("mcp:tools");
        }
    }
}
