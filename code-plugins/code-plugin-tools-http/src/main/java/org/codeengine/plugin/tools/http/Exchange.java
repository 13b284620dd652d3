package org.codeengine.plugin.tools.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 request and its response over a socket already connected to the checked address: the request names the
 * host in its Host header, asks for no compression and closes the connection; the response's body is read up to a
 * byte cap (chunked, by length, or to the end) within a deadline.
 */
final class Exchange {
    private static final int MAX_HEAD = 64 * 1024;

    /**
     * @param status the status code
     * @param headers the headers, names in lower case (a repeated header keeps its last value)
     * @param body the body, at most the cap
     * @param truncated whether the body was longer than the cap
     */
    record Response(int status, Map<String, String> headers, byte[] body, boolean truncated) {}

    private Exchange() {}

    static void send(Socket socket, String method, Target target, Map<String, String> headers,
            byte @Nullable [] body) throws IOException {
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target.requestTarget()).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(target.hostHeader()).append("\r\n");
        head.append("Connection: close\r\nAccept-Encoding: identity\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    static Response receive(Socket socket, long maxBytes, long deadlineNanos) throws IOException {
        InputStream in = new DeadlineStream(socket, deadlineNanos);
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("the server did not answer with HTTP/1.x");
        }
        int code;
        try {
            code = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("the server answered with the status line '" + status + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int headBytes = status.length();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            headBytes += line.length();
            if (headBytes > MAX_HEAD) {
                throw new IOException("the server's headers are longer than " + MAX_HEAD + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1)
                        .strip());
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean truncated;
        if (code / 100 == 1 || code == 204 || code == 304) {
            truncated = false;
        } else if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            truncated = chunked(in, body, maxBytes);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("the server sent Content-Length '" + headers.get("content-length") + "'");
            }
            truncated = copy(in, body, Math.min(length, maxBytes)) && length > maxBytes;
        } else {
            truncated = copy(in, body, maxBytes) && in.read() >= 0;
        }
        return new Response(code, headers, body.toByteArray(), truncated);
    }

    /** {@return whether the cap cut the body short} */
    private static boolean chunked(InputStream in, ByteArrayOutputStream body, long maxBytes) throws IOException {
        while (true) {
            String size = line(in);
            int semi = size.indexOf(';');
            long length;
            try {
                length = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("the server sent a chunk size of '" + size + "'");
            }
            if (length == 0) {
                return false;
            }
            long room = maxBytes - body.size();
            if (length > room) {
                copy(in, body, room);
                return true;
            }
            if (!copy(in, body, length)) {
                throw new IOException("the connection closed inside a chunk");
            }
            line(in);
        }
    }

    /** {@return whether all n bytes were read (false when the stream ended first)} */
    private static boolean copy(InputStream in, ByteArrayOutputStream to, long n) throws IOException {
        byte[] buffer = new byte[8192];
        long left = n;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                return false;
            }
            to.write(buffer, 0, read);
            left -= read;
        }
        return true;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("the connection closed before the response's head ended");
            }
            if (line.length() > MAX_HEAD) {
                throw new IOException("a line of the response is longer than " + MAX_HEAD + " bytes");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    /** Reads a socket so that no read waits past the deadline, and an interrupted caller stops at once. */
    private static final class DeadlineStream extends InputStream {
        private final Socket socket;
        private final InputStream in;
        private final long deadline;
        private final byte[] one = new byte[1];
        private final byte[] buffer = new byte[8192];
        private int at;
        private int end;

        DeadlineStream(Socket socket, long deadline) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadline = deadline;
        }

        @Override
        public int read() throws IOException {
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (at == end) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0 || Thread.currentThread().isInterrupted()) {
                    throw new SocketTimeoutException(left <= 0 ? "the time cap ran out" : "the call was cancelled");
                }
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, Math.min(left, 1000))));
                while (true) {
                    try {
                        end = in.read(buffer);
                        break;
                    } catch (SocketTimeoutException e) {
                        left = (deadline - System.nanoTime()) / 1_000_000;
                        if (left <= 0 || Thread.currentThread().isInterrupted()) {
                            throw new SocketTimeoutException(left <= 0
                                    ? "the time cap ran out"
                                    : "the call was cancelled");
                        }
                    }
                }
                at = 0;
                if (end < 0) {
                    end = 0;
                    return -1;
                }
            }
            int n = Math.min(len, end - at);
            System.arraycopy(buffer, at, b, off, n);
            at += n;
            return n;
        }
    }
}
