package org.codeengine.examples.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The small HTTP service {@code code demo} deploys, run as a child process from the app's own jar:
 *
 * <pre>
 * java -cp code.jar org.codeengine.examples.cli.DemoServer --name api --port 8080 [--version 2] [--unhealthy]
 *      [--exit-with-parent]
 * </pre>
 *
 * {@code GET /health} answers 200 (503 with {@code --unhealthy}, as a service whose migrations never finish) and
 * {@code GET /} answers with the service's name and version. With {@code --exit-with-parent} it ends when the process
 * that started it ends, so even a demo killed with SIGKILL leaves nothing running.
 */
public final class DemoServer {
    private DemoServer() {}

    /**
     * @param args {@code --name NAME --port PORT [--version V] [--unhealthy] [--exit-with-parent]}
     * @throws IOException if the port cannot be bound
     */
    public static void main(String[] args) throws IOException {
        String name = "demo";
        String version = "1";
        int port = -1;
        boolean unhealthy = false;
        boolean exitWithParent = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--name" -> name = args[++i];
                case "--version" -> version = args[++i];
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--unhealthy" -> unhealthy = true;
                case "--exit-with-parent" -> exitWithParent = true;
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        if (port < 0) {
            System.err.println("usage: DemoServer --name NAME --port PORT [--version V] [--unhealthy]");
            System.exit(2);
        }
        if (exitWithParent) {
            ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime()
                    .halt(0)));
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        boolean sick = unhealthy;
        String self = name + " v" + version;
        server.createContext("/health", exchange -> reply(exchange, sick ? 503 : 200, sick
                ? "migrations pending"
                : "ok"));
        server.createContext("/", exchange -> reply(exchange, 200, self + " ok"));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        System.out.println(self + " listening on 127.0.0.1:" + port + (unhealthy ? " (unhealthy)" : ""));
    }

    /** Answers with a line of plain text. */
    static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
