package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link McpServer#serveStdio} in this process, against what a hostile client writes: each test is a regression of
 * something the fuzz test ({@code McpFuzzTest} in code-examples) found.
 */
class McpServerStdioTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void lineOverTheLimit_isRefusedAsItStreamsBy_andTheNextLineIsServed() throws Exception {
        try (Served s = new Served(McpServer.builder().maxMessageBytes(1024).build())) {
            s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"s\":\"" + "a".repeat(900)
                    + "\"}}");
            assertThat(s.next().path("id").asInt()).as("a message within the limit").isEqualTo(1);
            // 256 MB in one line: kept whole, it would take a quarter of a GB of heap and seconds to parse
            byte[] block = new byte[1 << 20];
            Arrays.fill(block, (byte) 'a');
            for (int i = 0; i < 256; i++) {
                s.in.write(block);
            }
            s.send("");
            JsonNode refused = s.next();
            assertThat(refused.path("error").path("code").asInt()).isEqualTo(-32600);
            assertThat(refused.path("error").path("message").asString()).isEqualTo(
                    "the message is larger than the limit of 1024 bytes");
            assertThat(refused.has("id")).isFalse();
            s.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
            assertThat(s.next().path("id").asInt()).isEqualTo(2);
        }
    }

    @Test
    void invalidUtf8_isAParseError_evenWhereAParserWouldDecodeIt() throws Exception {
        // a lone continuation byte, an overlong '/', an encoded surrogate, a code point above U+10FFFF, a cut sequence
        int[][] bad = {{0x80}, {0xc0, 0xaf}, {0xe0, 0x80, 0xaf}, {0xed, 0xa0, 0x80}, {0xf4, 0x90, 0x80, 0x80}, {0xe2,
                0x82}};
        try (Served s = new Served(McpServer.builder().build())) {
            for (int[] sequence : bad) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                line.writeBytes("{\"jsonrpc\":\"2.0\",\"id\":\"a".getBytes(StandardCharsets.US_ASCII));
                for (int b : sequence) {
                    line.write(b);
                }
                line.writeBytes("\",\"method\":\"ping\"}".getBytes(StandardCharsets.US_ASCII));
                s.in.write(line.toByteArray());
                s.send("");
                JsonNode answer = s.next();
                assertThat(answer.path("error").path("code").asInt()).as(Arrays.toString(sequence)).isEqualTo(-32700);
                assertThat(answer.path("error").path("message").asString()).startsWith(
                        "parse error: the message is not valid UTF-8");
            }
            s.send("{\"jsonrpc\":\"2.0\",\"id\":\"ü✓\uD83D\uDE00\",\"method\":\"ping\"}");
            assertThat(s.next().path("id").asString()).as("valid UTF-8 of 2, 3 and 4 bytes").isEqualTo(
                    "ü✓\uD83D\uDE00");
        }
    }

    @Test
    void loneSurrogateInAnId_comesBackAsItWasSent() throws Exception {
        try (Served s = new Served(McpServer.builder().build())) {
            s.send("{\"jsonrpc\":\"2.0\",\"id\":\"x\\ud800y\\udfff\",\"method\":\"ping\"}");
            String line = s.lines.poll(10, TimeUnit.SECONDS);
            assertThat(line).contains("\"id\":\"x\\uD800y\\uDFFF\"");
            assertThat(JSON.readTree(line).path("id").asString()).isEqualTo("x\uD800y\uDFFF");
        }
    }

    @Test
    void tooManyTokens_isAParseError_thatNamesTheLimit() throws Exception {
        try (Served s = new Served(McpServer.builder().maxMessageTokens(1000).build())) {
            s.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"a\":[" + "{},".repeat(600)
                    + "0]}}");
            JsonNode answer = s.next();
            assertThat(answer.path("error").path("code").asInt()).isEqualTo(-32700);
            assertThat(answer.path("error").path("message").asString()).isEqualTo(
                    "parse error: the message breaks a limit: Token count (1001) exceeds the maximum allowed (1000)");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\",\"params\":{\"a\":[" + "{},".repeat(400)
                    + "0]}}");
            assertThat(s.next().has("result")).isTrue();
        }
    }

    @Test
    void invalidRequest_carriesItsIdWhenValid_andANotificationWhoseMethodIsNoStringIsAnswered() throws Exception {
        try (Served s = new Served(McpServer.builder().build())) {
            s.send("{\"jsonrpc\":\"1.0\",\"id\":5,\"method\":\"ping\"}");
            JsonNode wrongVersion = s.next();
            assertThat(wrongVersion.path("error").path("code").asInt()).isEqualTo(-32600);
            assertThat(wrongVersion.path("id").asInt()).as("the sender can fail its call").isEqualTo(5);
            s.send("{\"jsonrpc\":\"2.0\",\"id\":\"m\",\"method\":42}");
            assertThat(s.next().path("id").asString()).isEqualTo("m");
            // JSON-RPC 2.0's own example: {"jsonrpc": "2.0", "method": 1, "params": "bar"} gets an invalid request
            s.send("{\"jsonrpc\":\"2.0\",\"method\":1,\"params\":\"bar\"}");
            JsonNode noString = s.next();
            assertThat(noString.path("error").path("code").asInt()).isEqualTo(-32600);
            assertThat(noString.has("id")).isFalse();
            s.send("{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}");
            assertThat(s.next().has("id")).as("an id that is no id is not echoed").isFalse();
        }
    }

    @Test
    void responses_areNeverAnswered_notEvenBrokenOnes() throws Exception {
        try (Served s = new Served(McpServer.builder().build())) {
            s.send("{\"id\":5,\"result\":{}}");
            s.send("{\"jsonrpc\":\"1.0\",\"id\":6,\"error\":{\"code\":1,\"message\":\"m\"}}");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse error\"}}");
            s.send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\",\"params\":\"junk\"}");
            s.send("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}");
            assertThat(s.next().path("id").asInt()).as("the first answer is the ping's").isEqualTo(7);
        }
    }

    @Test
    void batchAt2025_03_26_isAnsweredWithOneArray_andMayNotHoldInitialize() throws Exception {
        try (Served s = new Served(McpServer.builder().build())) {
            s.send("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-03-26\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
            assertThat(s.next().path("result").path("protocolVersion").asString()).isEqualTo("2025-03-26");
            s.send("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},{\"jsonrpc\":\"2.0\",\"method\":"
                    + "\"notifications/initialized\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"nope\"},1,"
                    + "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\",\"params\":{}}]");
            JsonNode batch = s.next();
            assertThat(batch.isArray()).as("one array").isTrue();
            assertThat(batch.valueStream().map(a -> a.path("id").asString("none") + ":" + a.path("error").path("code")
                    .asInt(0))).containsExactlyInAnyOrder("1:0", "2:-32601", "none:-32600", "3:-32600");
            s.send("[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}]");
            s.send("[]");
            JsonNode empty = s.next();
            assertThat(empty.isObject()).as("an empty batch gets one answer, no array, and a batch of notifications "
                    + "none").isTrue();
            assertThat(empty.path("error").path("code").asInt()).isEqualTo(-32600);
        }
    }

    @Test
    void subscriptions_areBounded_toKnownResources_shortUris_andAThousand() throws Exception {
        McpServer server = McpServer.builder().resource(new McpResource("test://r", "r", null, null, null, (uri,
                c) -> java.util.List.of())).resourceTemplate(new McpResourceTemplate("test://t/{id}", "t", null, null,
                        null, (uri, vars, c) -> java.util.List.of(), java.util.Map.of()))
                .build();
        try (Served s = new Served(server)) {
            s.send("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                    + "\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}");
            s.next();
            assertThat(subscribe(s, "test://nope").path("error").path("code").asInt()).isEqualTo(-32002);
            assertThat(subscribe(s, "test://t/" + "x".repeat(ServerSession.MAX_SUBSCRIBED_URI)).path("error").path(
                    "code").asInt()).isEqualTo(-32602);
            assertThat(subscribe(s, "test://r").has("result")).isTrue();
            for (int i = 1; i < ServerSession.MAX_SUBSCRIPTIONS; i++) {
                assertThat(subscribe(s, "test://t/" + i).has("result")).isTrue();
            }
            JsonNode more = subscribe(s, "test://t/more");
            assertThat(more.path("error").path("code").asInt()).isEqualTo(-32600);
            assertThat(more.path("error").path("message").asString()).contains("at most 1000");
            assertThat(subscribe(s, "test://t/7").has("result")).as("again, one already watched").isTrue();
            s.send("{\"jsonrpc\":\"2.0\",\"id\":\"u\",\"method\":\"resources/unsubscribe\",\"params\":{\"uri\":"
                    + "\"test://t/7\"}}");
            s.next();
            assertThat(subscribe(s, "test://t/more").has("result")).as("once one is let go").isTrue();
        }
    }

    private static JsonNode subscribe(Served s, String uri) throws IOException, InterruptedException {
        s.send("{\"jsonrpc\":\"2.0\",\"id\":\"s\",\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"" + uri
                + "\"}}");
        return s.next();
    }

    @Test
    void limits_areCheckedWhenBuilt() {
        assertThatThrownBy(() -> McpServer.builder().maxMessageBytes(100)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("maxMessageBytes");
        assertThatThrownBy(() -> McpServer.builder().maxMessageTokens(10)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("maxMessageTokens");
    }

    /** A server on stdio in this process: lines in through a pipe, lines out into a queue. */
    private static final class Served implements AutoCloseable {
        final OutputStream in;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Thread serving;

        Served(McpServer server) throws IOException {
            Pipe pipe = Pipe.open();
            this.in = Channels.newOutputStream(pipe.sink());
            OutputStream out = new OutputStream() {
                private final ByteArrayOutputStream line = new ByteArrayOutputStream();

                @Override
                public void write(int b) {
                    if (b == '\n') {
                        lines.add(line.toString(StandardCharsets.UTF_8));
                        line.reset();
                    } else {
                        line.write(b);
                    }
                }
            };
            this.serving = Thread.ofVirtual().start(() -> server.serveStdio(Channels.newInputStream(pipe.source()),
                    out));
        }

        void send(String line) throws IOException {
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }

        JsonNode next() throws InterruptedException {
            @Nullable
            String line = lines.poll(10, TimeUnit.SECONDS);
            assertThat(line).as("an answer within 10 s").isNotNull();
            return JSON.readTree(line);
        }

        @Override
        public void close() throws IOException {
            in.close();
            try {
                serving.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            assertThat(lines).as("nothing more was answered").isEmpty();
        }
    }
}
