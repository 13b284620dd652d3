package org.codeengine.plugin.tools.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A minimal Redis client: one connection, commands as arrays of bulk strings (RESP2), replies as {@code String},
 * {@code Long}, {@code List} or {@code null}. The tools send GET, STRLEN, GETRANGE, TTL, TYPE, SCAN and SET, for which
 * a client library and its pool would be more than the work.
 */
final class Resp implements AutoCloseable {
    /** An error reply from Redis ({@code -ERR ...}, {@code -WRONGTYPE ...}). */
    static final class RedisError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RedisError(String message) {
            super(message, null, false, false);
        }
    }

    private static final int MAX_BULK = 64 << 20;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Resp(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    @Nullable
    Object call(String... args) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            frame.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            frame.writeBytes(bytes);
            frame.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(frame.toByteArray());
        out.flush();
        return reply();
    }

    private @Nullable Object reply() throws IOException {
        int type = in.read();
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new RedisError(line);
            case ':' -> Long.parseLong(line);
            case '$' -> {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    yield null;
                }
                if (length > MAX_BULK) {
                    throw new IOException("Redis sent a reply of " + length + " bytes");
                }
                byte[] bytes = in.readNBytes(length);
                in.readNBytes(2);
                yield new String(bytes, StandardCharsets.UTF_8);
            }
            case '*' -> {
                int count = Integer.parseInt(line);
                if (count < 0) {
                    yield null;
                }
                List<@Nullable Object> items = new ArrayList<>(Math.min(count, 1024));
                for (int i = 0; i < count; i++) {
                    items.add(reply());
                }
                yield items;
            }
            case -1 -> throw new IOException("Redis closed the connection");
            default -> throw new IOException("Redis sent a reply of unknown type '" + (char) type + "'");
        };
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("Redis closed the connection");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
