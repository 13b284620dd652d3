package org.codeengine.benchmarks;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** A provider played by the JDK's HTTP server on 127.0.0.1 for a benchmark: each request answered with JSON. */
public final class BenchServers {
    private BenchServers() {}

    /**
     * @param reply the JSON body to answer, given the request's body
     * @return the started server, on a free loopback port with two threads
     */
    public static HttpServer json(Function<String, byte[]> reply) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", exchange -> {
            byte[] body = reply.apply(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.setExecutor(Executors.newFixedThreadPool(2, Thread.ofPlatform().daemon().factory())); // a fork ends at once
        server.start();
        return server;
    }
}
