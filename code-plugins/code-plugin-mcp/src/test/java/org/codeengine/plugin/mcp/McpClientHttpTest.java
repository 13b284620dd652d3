package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The client's Streamable HTTP transport against a hand-written server on 127.0.0.1. */
class McpClientHttpTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * A server that, like the conformance suite's, keeps the GET stream open after DELETE: closing the client used
     * to wait for that stream forever (HttpClient.close waits for every exchange).
     */
    @Test
    void close_returns_whenTheServerHoldsTheGetStreamOpen() throws Exception {
        CountDownLatch streaming = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/mcp", ex -> {
            try (ex) {
                switch (ex.getRequestMethod()) {
                    case "POST" -> answer(ex);
                    case "GET" -> {
                        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
                        ex.sendResponseHeaders(200, 0);
                        OutputStream out = ex.getResponseBody();
                        out.write(": open\n\n".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        streaming.countDown();
                        release.await(30, TimeUnit.SECONDS);
                    }
                    default -> ex.sendResponseHeaders(200, -1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        try {
            McpClient client = McpClient.builder().connect(URI.create("http://127.0.0.1:" + server.getAddress()
                    .getPort() + "/mcp"));
            assertThat(streaming.await(10, TimeUnit.SECONDS)).as("the client opened the GET stream").isTrue();
            assertTimeoutPreemptively(Duration.ofSeconds(10), client::close);
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    /**
     * The client sends ids as longs and Jackson parses them back as ints: compared by node type they never matched,
     * so the client read an SSE answer's stream past its answer, and resumed it with Last-Event-ID when it ended
     * (duplicated progress, requests answered twice). It stops reading at its answer now.
     */
    @Test
    void sseAnswer_endsTheRead_whenTheIdComesBackAsAnotherNumberType() throws Exception {
        CountDownLatch hungUp = new CountDownLatch(1);
        AtomicInteger resumes = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/mcp", ex -> {
            try (ex) {
                if ("GET".equals(ex.getRequestMethod())) {
                    if (ex.getRequestHeaders().containsKey("Last-Event-ID")) {
                        resumes.incrementAndGet();
                    }
                    ex.sendResponseHeaders(405, -1);
                    return;
                }
                if (!"POST".equals(ex.getRequestMethod())) {
                    ex.sendResponseHeaders(200, -1);
                    return;
                }
                byte[] body = ex.getRequestBody().readAllBytes();
                JsonNode message = JSON.readTree(body);
                if (!"tools/call".equals(message.path("method").asString())) {
                    answer(ex, body);
                    return;
                }
                ex.getResponseHeaders().set("Content-Type", "text/event-stream");
                ex.sendResponseHeaders(200, 0);
                OutputStream out = ex.getResponseBody();
                out.write(("id: e1\nretry: 0\ndata: {\"jsonrpc\":\"2.0\",\"id\":" + message.get("id")
                        + ",\"result\":{\"content\":[]}}\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline) { // the stream stays open until the client lets it go
                    try {
                        out.write(": still here\n\n".getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } catch (IOException gone) {
                        hungUp.countDown();
                        return;
                    }
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        try (McpClient client = McpClient.builder().connect(URI.create("http://127.0.0.1:" + server.getAddress()
                .getPort() + "/mcp"))) {
            assertThat(client.callTool("t", JSON.createObjectNode()).isError()).isFalse();
            assertThat(hungUp.await(10, TimeUnit.SECONDS)).as("the client let the stream go after its answer")
                    .isTrue();
            assertThat(resumes).hasValue(0);
        } finally {
            server.stop(0);
        }
    }

    private static void answer(HttpExchange ex) throws IOException {
        answer(ex, ex.getRequestBody().readAllBytes());
    }

    private static void answer(HttpExchange ex, byte[] request) throws IOException {
        JsonNode message = JSON.readTree(request);
        if (!message.has("id")) {
            ex.sendResponseHeaders(202, -1);
            return;
        }
        String result = "initialize".equals(message.path("method").asString())
                ? "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"serverInfo\":{\"name\":\"held\","
                        + "\"version\":\"1\"}}"
                : "{}";
        byte[] body = ("{\"jsonrpc\":\"2.0\",\"id\":" + message.get("id") + ",\"result\":" + result + "}").getBytes(
                StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Mcp-Session-Id", "s1");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }
}
