package org.codeengine.plugin.testkit;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A provider's side of a scenario: an HTTP server on 127.0.0.1 that answers each request with the next reply of the
 * scenario (the last one repeats), and records the requests it got.
 *
 * <p>A reply is a file: a status line ({@code HTTP/1.1 429}), header lines, a blank line and the body. In the body, a
 * line {@code #flush} sends what came before it at once (the reply is chunked), {@code #sleep 200ms} waits, and
 * {@code #stall} holds the connection open without sending more until the server stops. Several replies of one
 * scenario are separated by a line {@code ### next}.
 */
public final class ScenarioServer implements AutoCloseable {
    private final HttpServer server;
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private volatile List<String> replies = List.of();
    private volatile boolean stopping;

    /**
     * One request the server got.
     *
     * @param method the HTTP method
     * @param uri the path and query
     * @param headers the headers, names in lower case
     * @param body the body as text
     */
    public record Recorded(String method, URI uri, Map<String, String> headers, String body) {}

    /** Starts a server on a free port of 127.0.0.1. */
    public ScenarioServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::answer);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** {@return {@code http://127.0.0.1:<port>}} */
    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * {@return this server}
     *
     * @param text the scenario: one or more replies, as described above
     */
    public ScenarioServer play(String text) {
        List<String> parts = new ArrayList<>();
        for (String part : text.split("(?m)^### next[ \\t]*\\R")) {
            parts.add(part.stripLeading()); // the end is kept: an event stream ends with a blank line
        }
        requests.clear();
        replies = List.copyOf(parts);
        return this;
    }

    /** {@return the requests received since the last {@link #play}} */
    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    private void answer(HttpExchange exchange) throws IOException {
        Map<String, String> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int index = requests.size();
        requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI(), headers, body));
        List<String> all = replies;
        if (all.isEmpty()) {
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
            return;
        }
        String reply = all.get(Math.min(index, all.size() - 1));
        try {
            send(exchange, reply);
        } catch (IOException | InterruptedException e) {
            // the client went away (a stalled or cut stream): nothing more to send
        } finally {
            exchange.close();
        }
    }

    private void send(HttpExchange exchange, String reply) throws IOException, InterruptedException {
        String[] lines = reply.split("\r?\n", -1);
        int status = Integer.parseInt(lines[0].trim().split("\\s+")[1]);
        int i = 1;
        for (; i < lines.length && !lines[i].isBlank(); i++) {
            int colon = lines[i].indexOf(':');
            exchange.getResponseHeaders().add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1)
                    .trim());
        }
        List<String> body = List.of(lines).subList(Math.min(i + 1, lines.length), lines.length);
        boolean chunked = body.stream().anyMatch(l -> l.startsWith("#"));
        if (!chunked) {
            byte[] bytes = String.join("\n", body).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
            return;
        }
        exchange.sendResponseHeaders(status, 0);
        OutputStream out = exchange.getResponseBody();
        StringBuilder pending = new StringBuilder();
        for (String line : body) {
            if (line.equals("#flush")) {
                flush(out, pending);
            } else if (line.startsWith("#sleep ")) {
                flush(out, pending);
                Thread.sleep(Duration.ofMillis(Long.parseLong(line.substring(7).replace("ms", "").trim())));
            } else if (line.equals("#stall")) {
                flush(out, pending);
                while (!stopping) {
                    Thread.sleep(50);
                }
                return;
            } else {
                pending.append(line).append('\n');
            }
        }
        flush(out, pending);
        out.close();
    }

    private static void flush(OutputStream out, StringBuilder pending) throws IOException {
        if (!pending.isEmpty()) {
            out.write(pending.toString().getBytes(StandardCharsets.UTF_8));
            pending.setLength(0);
        }
        out.flush();
    }

    @Override
    public void close() {
        stopping = true;
        server.stop(0);
    }
}
