package org.codeengine.plugin.docker;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.1 to a Docker daemon, one connection per request ({@code Connection: close}), over its unix socket or TCP.
 * The Engine API needs no more: bodies are JSON or a tar stream up, and JSON, NDJSON or a log stream down, whole or
 * chunked. A request that takes longer than its timeout has its connection closed under it.
 */
final class EngineHttp {
    /** Replies longer than this are cut off with an error: the daemon's answers to what we ask are small. */
    static final int MAX_REPLY = 32 << 20;

    /** A whole reply. */
    record Reply(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final DockerHost host;

    EngineHttp(DockerHost host) {
        this.host = host;
    }

    DockerHost host() {
        return host;
    }

    /**
     * @param method {@code GET}, {@code POST}, {@code DELETE}
     * @param target the path and query, already encoded: {@code /v1.41/containers/json?all=1}
     * @param body the request body, or {@code null}
     * @param contentType the body's type, or {@code null} without a body
     * @param timeout the longest the whole exchange may take
     * @throws IOException if the daemon cannot be reached, the exchange fails or takes longer than {@code timeout}
     */
    Reply send(String method, String target, byte @Nullable [] body, @Nullable String contentType, Duration timeout)
            throws IOException {
        return send(method, target, body, contentType, Map.of(), timeout);
    }

    /**
     * As {@link #send(String, String, byte[], String, Duration)}, with more request headers.
     *
     * @param headers names and values sent as they are (a registry credential in {@code X-Registry-Auth}); never
     *     logged or put into a message
     */
    Reply send(String method, String target, byte @Nullable [] body, @Nullable String contentType,
            Map<String, String> headers, Duration timeout) throws IOException {
        DockerHost.Connection channel = host.connect();
        AtomicBoolean done = new AtomicBoolean();
        Thread watchdog = Thread.ofVirtual().name("code-docker-timeout").start(() -> {
            try {
                Thread.sleep(timeout);
                if (done.compareAndSet(false, true)) {
                    channel.close();
                }
            } catch (InterruptedException | IOException e) {
                // finished in time, or already closed
            }
        });
        try (channel) {
            OutputStream out = channel.out();
            StringBuilder head = new StringBuilder().append(method).append(' ').append(target).append(
                    " HTTP/1.1\r\nHost: docker\r\nUser-Agent: code-docker\r\nConnection: close\r\n");
            headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
            if (body != null) {
                head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(body.length)
                        .append("\r\n");
            } else if (!method.equals("GET")) {
                head.append("Content-Length: 0\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(new BufferedInputStream(channel.in()));
        } catch (IOException e) {
            if (!done.compareAndSet(false, true)) {
                throw new IOException("no reply within " + timeout.toMillis() + " ms", e);
            }
            throw e;
        } finally {
            done.set(true);
            watchdog.interrupt();
        }
    }

    private static Reply read(InputStream in) throws IOException {
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP reply: " + status);
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status: " + status, e);
        }
        long length = -1;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).strip();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (code == 204 || code == 304) {
            return new Reply(code, new byte[0]);
        }
        if (chunked) {
            while (true) {
                String size = line(in);
                int semicolon = size.indexOf(';');
                long n = Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
                if (n == 0) {
                    break;
                }
                copy(in, body, n);
                line(in); // the CRLF after the chunk
            }
        } else if (length >= 0) {
            copy(in, body, length);
        } else {
            copy(in, body, Long.MAX_VALUE);
        }
        return new Reply(code, body.toByteArray());
    }

    private static void copy(InputStream in, ByteArrayOutputStream to, long n) throws IOException {
        byte[] buffer = new byte[8192];
        long left = n;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                if (n == Long.MAX_VALUE) {
                    return;
                }
                throw new IOException("the reply ended " + left + " bytes early");
            }
            if (to.size() + read > MAX_REPLY) {
                throw new IOException("the reply is longer than " + MAX_REPLY + " bytes");
            }
            to.write(buffer, 0, read);
            left -= read;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection closed in the middle of a reply");
            }
            if (line.length() > 16_384) {
                throw new IOException("a reply line is longer than 16 KiB");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
