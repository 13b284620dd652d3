package org.codeengine.examples.agents;

import static org.codeengine.examples.agents.Wire.call;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;

/**
 * A scripted model on the OpenAI wire whose reply depends only on the conversation it is sent (how many assistant
 * turns it holds), not on how many requests came before: a host killed after the model answered but before the reply
 * was journaled asks again on resume and gets the same reply, as a deterministic model would give.
 */
final class LedgerModel implements AutoCloseable {
    static final List<String> ENTRIES = List.of("one", "two", "three");
    private static final List<String> REPLIES = List.of(Wire.OPENAI.calls(40, 10, call("call_1", "ledger_read",
            "{\"key\": \"a\"}"), call("call_2", "ledger_append", "{\"entry\": \"one\"}")), Wire.OPENAI.calls(60, 10,
                    call("call_3", "ledger_append", "{\"entry\": \"two\"}"), call("call_4", "ledger_read",
                            "{\"key\": \"b\"}")),
            Wire.OPENAI.calls(80, 10, call("call_5", "ledger_read",
                    "{\"key\": \"c\"}")),
            Wire.OPENAI.calls(90, 10, call("call_6", "ledger_append",
                    "{\"entry\": \"three\"}")),
            Wire.OPENAI.answer("The ledger holds one, two "
                    + "and three.", 100, 12));
    private final HttpServer server;

    LedgerModel() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void answer(HttpExchange exchange) throws IOException {
        JsonNode request;
        try (InputStream in = exchange.getRequestBody()) {
            request = Wire.JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        int turns = 0;
        for (JsonNode message : request.path("messages")) {
            if (message.path("role").asString().equals("assistant")) {
                turns++;
            }
        }
        String reply = REPLIES.get(Math.min(turns, REPLIES.size() - 1));
        byte[] body = reply.substring(reply.indexOf("\n\n") + 2).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("content-type", "application/json");
        try {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException gone) {
            // the host was killed while it waited
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
