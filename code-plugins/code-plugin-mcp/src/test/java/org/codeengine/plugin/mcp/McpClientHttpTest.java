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

    private static void answer(HttpExchange ex) throws IOException {
        JsonNode message = JSON.readTree(ex.getRequestBody().readAllBytes());
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
