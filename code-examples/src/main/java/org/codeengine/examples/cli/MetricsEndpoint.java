package org.codeengine.examples.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.codeengine.api.CodeException;
import org.codeengine.api.security.SecurityFacade;
import org.jspecify.annotations.Nullable;

/**
 * A Prometheus scrape endpoint ({@code GET /metrics}, text exposition format 0.0.4) on 127.0.0.1, guarded as the MCP
 * HTTP face is: it listens on the loopback interface only, answers only requests whose {@code Host} names the
 * loopback (so a web page cannot reach it by DNS rebinding), and, when given the engine's security, only those that
 * present a bearer API key or token it accepts.
 */
final class MetricsEndpoint implements AutoCloseable {
    /** The path Prometheus scrapes. */
    static final String PATH = "/metrics";
    private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "localhost", "[::1]");
    private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService threads;

    /**
     * @param registry the meters to serve
     * @param port the port; 0 picks a free one
     * @param security when non-null, each scrape must present {@code Authorization: Bearer <key or token>} that it
     *        authenticates
     * @throws UncheckedIOException if the port cannot be bound
     */
    MetricsEndpoint(PrometheusMeterRegistry registry, int port, @Nullable SecurityFacade security) {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--metrics-port must be between 0 and 65535, not " + port);
        }
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for scrapes on 127.0.0.1:" + port + ": " + e.getMessage(),
                    e);
        }
        threads = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(threads);
        server.createContext("/", exchange -> answer(exchange, registry, security));
        server.start();
    }

    /** {@return the port it listens on} */
    int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange exchange, PrometheusMeterRegistry registry,
            @Nullable SecurityFacade security) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            if (!loopbackHost(exchange.getRequestHeaders().getFirst("Host"))) {
                DemoServer.reply(exchange, 403, "the Host header is not allowed");
                return;
            }
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                DemoServer.reply(exchange, 404, "not found; scrape " + PATH);
                return;
            }
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                DemoServer.reply(exchange, 405, "only GET and HEAD");
                return;
            }
            if (security != null && !authenticated(security, exchange.getRequestHeaders().getFirst(
                    "Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"code-metrics\"");
                DemoServer.reply(exchange, 401, "a bearer API key or token is needed");
                return;
            }
            byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** {@return whether the header holds a bearer API key or token the security layer accepts} */
    private static boolean authenticated(SecurityFacade security, @Nullable String header) {
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() == 7) {
            return false;
        }
        try {
            security.authenticate(BearerCredentials.of(header.substring(7).strip()));
            return true;
        } catch (CodeException | IllegalStateException | IllegalArgumentException e) {
            return false; // refused, or a kind of credential this store does not take
        }
    }

    /** {@return whether a {@code Host} header names the loopback interface (with or without a port)} */
    static boolean loopbackHost(@Nullable String host) {
        if (host == null) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT).strip();
        int colon = name.startsWith("[") ? name.indexOf("]:") + 1 : name.lastIndexOf(':');
        if (colon > 0) {
            name = name.substring(0, colon);
        }
        return LOOPBACK.contains(name);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.close();
    }
}
