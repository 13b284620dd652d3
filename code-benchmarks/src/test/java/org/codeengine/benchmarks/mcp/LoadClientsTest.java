package org.codeengine.benchmarks.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.codeengine.plugin.mcp.McpHttpServer;
import org.junit.jupiter.api.Test;

/** The load generator: its answer parser on every split of an answer, and whole runs against CODE's echo server. */
class LoadClientsTest {
    private static final String SSE_CHUNKED = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Transfer-Encoding: chunked\r\nmcp-session-id: abc\r\n\r\n"
            + "13\r\nid: 1\nretry: 1000\n\n\r\n"
            + "41\r\ndata: {\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"text\":\"hello, tools\"}}\n\n\r\n"
            + "0\r\n\r\n";

    @Test
    void aChunkedSseAnswer_isParsedWhole_howeverItIsSplit() throws IOException {
        byte[] bytes = SSE_CHUNKED.getBytes(StandardCharsets.US_ASCII);
        for (int split = 1; split < bytes.length; split++) {
            Pipe pipe = Pipe.open();
            LoadClients.HttpAnswer answer = new LoadClients.HttpAnswer();
            answer.reset();
            pipe.sink().write(ByteBuffer.wrap(bytes, 0, split));
            answer.read(pipe.source());
            assertThat(answer.complete()).as("complete after %d of %d bytes", split, bytes.length).isFalse();
            pipe.sink().write(ByteBuffer.wrap(bytes, split, bytes.length - split));
            while (!answer.complete()) {
                answer.read(pipe.source());
            }
            assertThat(answer.status).isEqualTo(200);
            assertThat(answer.session).isEqualTo("abc");
            assertThat(answer.bodyHolds("\"result\":{\"text\":\"hello, tools\"}".getBytes(StandardCharsets.US_ASCII)))
                    .as("split at %d", split).isTrue();
            assertThat(answer.bodyHolds("41\r\n".getBytes(StandardCharsets.US_ASCII))).isFalse(); // de-chunked
        }
    }

    @Test
    void callsToCodesEchoServer_areCountedAndChecked() throws IOException {
        try (McpHttpServer http = EchoServer.server().startHttp(McpHttpServer.Options.loopback(0))) {
            try (LoadClients good = new LoadClients(http.endpoint(), 4, "2025-11-25", "echo",
                    "{\"text\":\"hello, tools\"}", "hello, tools")) {
                good.open();
                LoadClients.Result result = good.run(0, 200);
                assertThat(result.latencies()).hasSize(200);
                assertThat(Arrays.stream(result.latencies()).min().orElseThrow()).isPositive();
                assertThat(result.errors()).isZero();
            }
            try (LoadClients wrong = new LoadClients(http.endpoint(), 2, "2025-11-25", "echo",
                    "{\"text\":\"something else\"}", "hello, tools")) {
                wrong.open();
                assertThat(wrong.run(0, 10).errors()).isEqualTo(10);
            }
        }
    }
}
