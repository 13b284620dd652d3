package org.codeengine.core.testservices;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A small HTTP service (plain sockets: the test module does not read jdk.httpserver) run as a child process by the orchestrator tests. It appends {@code start <name> <pid>} to the
 * record file when it starts and {@code stop <name> <pid>} when SIGTERM stops it, and answers {@code /health} with
 * the configured status.
 *
 * <p>Arguments: {@code --name N --port P --record FILE [--health STATUS]}.
 */
public final class TinyService {
    private TinyService() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> opts = HostArgs.parse(args);
        String name = opts.get("name");
        Path record = Path.of(opts.get("record"));
        int health = Integer.parseInt(opts.getOrDefault("health", "200"));
        long pid = ProcessHandle.current().pid();
        ServerSocket server = new ServerSocket(Integer.parseInt(opts.get("port")), 50, InetAddress
                .getLoopbackAddress());
        byte[] body = (name + (health == 200 ? " ok" : " sick")).getBytes(StandardCharsets.UTF_8);
        Thread.ofPlatform().name("accept").start(() -> {
            while (true) {
                try {
                    Socket socket = server.accept();
                    Thread.ofVirtual().start(() -> answer(socket, health, body));
                } catch (IOException e) {
                    return;
                }
            }
        });
        append(record, "start " + name + " " + pid);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            append(record, "stop " + name + " " + pid);
        }));
    }

    /** Reads the request head and answers every request alike: a status line, a length and the body. */
    private static void answer(Socket socket, int status, byte[] body) {
        try (socket) {
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            String line;
            while ((line = in.readLine()) != null && !line.isEmpty()) {
                // skip the request line and headers
            }
            String head = "HTTP/1.1 " + status + " X\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(body);
        } catch (IOException e) {
            // the prober went away
        }
    }

    private static synchronized void append(Path record, String line) {
        try {
            Files.writeString(record, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
