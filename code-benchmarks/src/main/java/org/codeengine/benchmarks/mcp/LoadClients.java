package org.codeengine.benchmarks.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The load generator of {@link McpLoad}: many MCP clients, each with its own session on its own keep-alive HTTP/1.1
 * connection, driven from one thread through one selector. Each client sends one {@code tools/call} at a time; when
 * its answer is complete the next goes out on the same connection at once. Request bodies are laid out once per
 * client; only the id's digits change from call to call. Answers are parsed in place (status line, the few headers
 * that frame the body, a body of known length or chunked), so the generator costs a few microseconds of one core per
 * call whichever server answers: the same for every server, it lets their own costs show.
 */
final class LoadClients implements AutoCloseable {
    private static final byte[] CRLF2 = {'\r', '\n', '\r', '\n'};

    private final InetSocketAddress address;
    private final List<Conn> conns = new ArrayList<>();
    private final Selector selector;

    /** What one phase measured: each call's latency in nanoseconds, and how many answers failed the check. */
    record Result(long[] latencies, long errors, long elapsedNanos) {}

    /**
     * @param endpoint an {@code http} URI on which the server serves Streamable HTTP
     * @param clients how many clients (connections, sessions)
     * @param version the protocol version each client asks for
     * @param tool the tool every call calls
     * @param arguments its arguments, as JSON
     * @param expect text every answer must hold
     */
    LoadClients(URI endpoint, int clients, String version, String tool, String arguments, String expect)
            throws IOException {
        if (!"http".equals(endpoint.getScheme()) || endpoint.getPort() < 0) {
            throw new IllegalArgumentException("the endpoint must be http://HOST:PORT/PATH, not " + endpoint);
        }
        this.address = new InetSocketAddress(endpoint.getHost(), endpoint.getPort());
        this.selector = Selector.open();
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        String host = endpoint.getHost() + ":" + endpoint.getPort();
        byte[] expected = expect.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < clients; i++) {
            conns.add(new Conn(path, host, version, tool, arguments, expected));
        }
    }

    /** Opens every connection and session: {@code initialize}, then {@code notifications/initialized}. */
    void open() throws IOException {
        for (Conn c : conns) {
            c.handshake();
        }
    }

    /**
     * Runs every client until {@code seconds} have passed or {@code calls} calls have gone out in all; the calls under
     * way then finish and count.
     *
     * @param calls calls in all, or 0 for a run of {@code seconds}
     * @throws IllegalStateException if a call is answered with a status other than 200
     */
    Result run(double seconds, long calls) throws IOException {
        long start = System.nanoTime();
        long deadline = calls > 0 ? Long.MAX_VALUE : start + (long) (seconds * 1e9);
        long left = calls > 0 ? calls : Long.MAX_VALUE;
        long[] latencies = new long[1 << 16];
        int count = 0;
        long errors = 0;
        int busy = 0;
        for (Conn c : conns) {
            if (left > 0) {
                left--;
                c.send();
                busy++;
            }
        }
        while (busy > 0) {
            selector.select(100);
            boolean more = left > 0 && System.nanoTime() < deadline;
            for (SelectionKey key : selector.selectedKeys()) {
                Conn c = (Conn) key.attachment();
                if (!c.readable()) {
                    continue;
                }
                if (count == latencies.length) {
                    latencies = Arrays.copyOf(latencies, count * 2);
                }
                latencies[count++] = c.took;
                if (!c.ok) {
                    errors++;
                }
                if (more && left > 0) {
                    left--;
                    c.send();
                } else {
                    busy--;
                }
            }
            selector.selectedKeys().clear();
        }
        return new Result(Arrays.copyOf(latencies, count), errors, System.nanoTime() - start);
    }

    @Override
    public void close() throws IOException {
        for (Conn c : conns) {
            c.disconnect();
        }
        selector.close();
    }

    /** One client: its connection, session, request layout and the answer being read. */
    private final class Conn {
        private final byte[] path;
        private final byte[] host;
        private final String version;
        private final byte[] bodyHead;
        private final byte[] bodyTail;
        private final byte[] expect;
        private final ByteBuffer out = ByteBuffer.allocateDirect(4096);
        private final HttpAnswer answer = new HttpAnswer();
        private byte @Nullable [] headers; // the request's head up to Content-Length, with the session
        private @Nullable SocketChannel channel;
        private @Nullable SelectionKey key;
        private long id;
        private long sentAt;
        private boolean resent;
        long took;
        boolean ok;

        Conn(String path, String host, String version, String tool, String arguments, byte[] expect) {
            this.path = path.getBytes(StandardCharsets.US_ASCII);
            this.host = host.getBytes(StandardCharsets.US_ASCII);
            this.version = version;
            this.bodyHead = "{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.US_ASCII);
            this.bodyTail = (",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool + "\",\"arguments\":"
                    + arguments + "}}").getBytes(StandardCharsets.UTF_8);
            this.expect = expect;
        }

        private byte[] head(@Nullable String session) {
            StringBuilder h = new StringBuilder().append("POST ").append(new String(path, StandardCharsets.US_ASCII))
                    .append(" HTTP/1.1\r\nHost: ").append(new String(host, StandardCharsets.US_ASCII)).append(
                            "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n");
            if (session != null) {
                h.append("Mcp-Session-Id: ").append(session).append("\r\nMCP-Protocol-Version: ").append(version)
                        .append("\r\n");
            }
            return h.append("Content-Length: ").toString().getBytes(StandardCharsets.US_ASCII);
        }

        void handshake() throws IOException {
            connect();
            byte[] init = ("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                    + version + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"mcp-load\",\"version\":\"1\"}}}")
                    .getBytes(StandardCharsets.UTF_8);
            blocking(head(null), init);
            String session = answer.session;
            if (answer.status != 200 || session == null || !answer.bodyHolds("\"result\"".getBytes(
                    StandardCharsets.US_ASCII))) {
                throw new IllegalStateException("initialize answered HTTP " + answer.status + " without a session: "
                        + answer.clip());
            }
            headers = head(session);
            blocking(headers, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(
                    StandardCharsets.US_ASCII));
            if (answer.status != 202) {
                throw new IllegalStateException("notifications/initialized answered HTTP " + answer.status);
            }
            if (channel == null) {
                connect();
            }
            channel.configureBlocking(false);
            key = channel.register(selector, SelectionKey.OP_READ, this);
        }

        private void connect() throws IOException {
            SocketChannel ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(address);
            channel = ch;
        }

        /** Sends one request and reads its whole answer on a blocking channel (the handshake's). */
        private void blocking(byte[] head, byte[] body) throws IOException {
            if (channel == null) {
                connect();
            }
            out.clear();
            out.put(head);
            digits(out, body.length);
            out.put(CRLF2).put(body).flip();
            write();
            answer.reset();
            while (!answer.complete()) {
                if (answer.read(channel) < 0 && !answer.endedByClose()) {
                    throw new IOException("the server closed the connection before answering");
                }
            }
            if (answer.close) {
                disconnect();
            }
        }

        /** Sends the next {@code tools/call}; a connection the server closed is opened again first. */
        void send() throws IOException {
            if (channel == null) {
                connect();
                channel.configureBlocking(false);
                key = channel.register(selector, SelectionKey.OP_READ, this);
            }
            long n = ++id;
            out.clear();
            out.put(headers);
            int length = bodyHead.length + decimalLength(n) + bodyTail.length;
            digits(out, length);
            out.put(CRLF2).put(bodyHead);
            digits(out, n);
            out.put(bodyTail).flip();
            answer.reset();
            resent = false;
            sentAt = System.nanoTime();
            write();
        }

        private void write() throws IOException {
            while (out.hasRemaining()) {
                if (channel.write(out) == 0) {
                    Thread.onSpinWait(); // the socket's buffer is full: a request is far smaller than it
                }
            }
        }

        /** Reads what arrived; @return whether the answer is complete ({@link #took} and {@link #ok} set) */
        boolean readable() throws IOException {
            int read;
            try {
                read = answer.read(channel);
            } catch (IOException e) {
                read = -1;
            }
            if (read < 0 && !answer.endedByClose()) {
                if (answer.received > 0 || resent) {
                    throw new UncheckedIOException(new IOException("the server closed the connection mid-answer"));
                }
                // the server closed a connection that idled while another server had its turn: once more, anew,
                // timed from the first try
                long first = sentAt;
                disconnect();
                send();
                sentAt = first;
                resent = true;
                return false;
            }
            if (!answer.complete()) {
                return false;
            }
            took = System.nanoTime() - sentAt;
            if (answer.status != 200) {
                throw new IllegalStateException("tools/call answered HTTP " + answer.status + ": " + answer.clip());
            }
            ok = answer.bodyHolds(RESULT) && !answer.bodyHolds(IS_ERROR) && answer.bodyHolds(expect);
            if (answer.close) {
                disconnect(); // the next call opens another
            }
            return true;
        }

        void disconnect() throws IOException {
            if (key != null) {
                key.cancel();
                key = null;
            }
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }
    }

    private static final byte[] RESULT = "\"result\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] IS_ERROR = "\"isError\":true".getBytes(StandardCharsets.US_ASCII);

    /**
     * One HTTP/1.1 answer read as it arrives: the status, the headers that frame the body ({@code Content-Length},
     * {@code Transfer-Encoding: chunked}, {@code Connection: close}) and {@code Mcp-Session-Id}; the body, de-chunked.
     */
    static final class HttpAnswer {
        private byte[] in = new byte[16 * 1024];
        private int filled;
        private int at; // where parsing goes on
        private byte[] body = new byte[16 * 1024];
        private int bodyLength;
        private int state; // 0 head, 1 body of known length, 2 chunk size, 3 chunk data, 4 after chunks, 5 until close
        private long remaining;
        int status;
        boolean close;
        @Nullable
        String session;
        long received;

        void reset() {
            // bytes after a complete answer would be a reply to nothing: none are expected, so start clean
            filled = 0;
            at = 0;
            bodyLength = 0;
            state = 0;
            remaining = 0;
            status = 0;
            close = false;
            session = null;
            received = 0;
        }

        /** {@return bytes read, or -1 at the end of the stream} */
        int read(ReadableByteChannel channel) throws IOException {
            if (filled == in.length) {
                if (at > 0) {
                    System.arraycopy(in, at, in, 0, filled - at);
                    filled -= at;
                    at = 0;
                } else {
                    in = Arrays.copyOf(in, in.length * 2);
                }
            }
            int n = channel.read(ByteBuffer.wrap(in, filled, in.length - filled));
            if (n > 0) {
                filled += n;
                received += n;
                parse();
            }
            return n;
        }

        /** {@return whether the stream's end ends this answer (a body framed by closing the connection)} */
        boolean endedByClose() {
            if (state == 5) {
                state = 6;
                return true;
            }
            return false;
        }

        boolean complete() {
            return state == 6;
        }

        private void parse() {
            while (true) {
                switch (state) {
                    case 0 -> {
                        int end = indexOf(in, at, filled, CRLF2);
                        if (end < 0) {
                            return;
                        }
                        head(at, end);
                        at = end + 4;
                    }
                    case 1 -> {
                        if (!take()) {
                            return;
                        }
                        state = 6;
                    }
                    case 2 -> {
                        int end = indexOf(in, at, filled, CRLF2, 2);
                        if (end < 0) {
                            return;
                        }
                        String size = new String(in, at, end - at, StandardCharsets.US_ASCII);
                        int semi = size.indexOf(';');
                        remaining = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
                        at = end + 2;
                        state = remaining == 0 ? 4 : 3;
                    }
                    case 3 -> {
                        if (!take() || filled - at < 2) {
                            return;
                        }
                        at += 2; // the chunk's CRLF
                        state = 2;
                    }
                    case 4 -> {
                        // trailers, if any, end with an empty line
                        if (filled - at >= 2 && in[at] == '\r' && in[at + 1] == '\n') {
                            at += 2;
                            state = 6;
                            return;
                        }
                        int end = indexOf(in, at, filled, CRLF2);
                        if (end < 0) {
                            return;
                        }
                        at = end + 4;
                        state = 6;
                    }
                    case 5 -> {
                        keep(at, filled - at);
                        at = filled;
                        return;
                    }
                    default -> {
                        return;
                    }
                }
            }
        }

        /** Keeps what arrived of the body's {@code remaining} bytes; @return whether they have all arrived */
        private boolean take() {
            int take = (int) Math.min(remaining, filled - at);
            keep(at, take);
            at += take;
            remaining -= take;
            return remaining == 0;
        }

        private void head(int from, int end) {
            status = (in[from + 9] - '0') * 100 + (in[from + 10] - '0') * 10 + (in[from + 11] - '0');
            long length = -1;
            boolean chunked = false;
            int line = indexOf(in, from, end, CRLF2, 2) + 2;
            while (line > 1 && line < end) {
                int next = indexOf(in, line, end, CRLF2, 2);
                int stop = next < 0 ? end : next;
                int colon = line;
                while (colon < stop && in[colon] != ':') {
                    colon++;
                }
                String value = new String(in, colon + 1, Math.max(0, stop - colon - 1), StandardCharsets.US_ASCII)
                        .strip();
                if (named(line, colon, "content-length")) {
                    length = Long.parseLong(value);
                } else if (named(line, colon, "transfer-encoding")) {
                    chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                } else if (named(line, colon, "connection")) {
                    close = value.equalsIgnoreCase("close");
                } else if (named(line, colon, "mcp-session-id")) {
                    session = value;
                }
                line = next < 0 ? end : next + 2;
            }
            boolean none = status / 100 == 1 || status == 204 || status == 304;
            if (chunked) {
                state = 2;
            } else if (length >= 0 || none) {
                remaining = none ? 0 : length;
                state = remaining == 0 ? 6 : 1;
            } else {
                state = 5;
                close = true;
            }
        }

        private boolean named(int from, int colon, String name) {
            if (colon - from != name.length()) {
                return false;
            }
            for (int i = 0; i < name.length(); i++) {
                if (Character.toLowerCase(in[from + i]) != name.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private void keep(int from, int length) {
            if (bodyLength + length > body.length) {
                body = Arrays.copyOf(body, Math.max(body.length * 2, bodyLength + length));
            }
            System.arraycopy(in, from, body, bodyLength, length);
            bodyLength += length;
        }

        boolean bodyHolds(byte[] text) {
            return indexOf(body, 0, bodyLength, text) >= 0;
        }

        String clip() {
            String text = new String(body, 0, bodyLength, StandardCharsets.UTF_8);
            return text.length() <= 200 ? text : text.substring(0, 200) + "…";
        }
    }

    /** {@return where {@code text} starts in {@code data[from, to)}, or -1} */
    static int indexOf(byte[] data, int from, int to, byte[] text) {
        return indexOf(data, from, to, text, text.length);
    }

    /** {@return where the first {@code length} bytes of {@code text} start in {@code data[from, to)}, or -1} */
    static int indexOf(byte[] data, int from, int to, byte[] text, int length) {
        byte first = text[0];
        outer : for (int i = from; i <= to - length; i++) {
            if (data[i] != first) {
                continue;
            }
            for (int j = 1; j < length; j++) {
                if (data[i + j] != text[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** {@return how many decimal digits a non-negative number has} */
    static int decimalLength(long n) {
        int digits = 1;
        for (long v = n; v >= 10; v /= 10) {
            digits++;
        }
        return digits;
    }

    /** Writes a non-negative number's decimal digits. */
    static void digits(ByteBuffer out, long n) {
        int length = decimalLength(n);
        int at = out.position() + length;
        long v = n;
        for (int i = 1; i <= length; i++) {
            out.put(at - i, (byte) ('0' + v % 10));
            v /= 10;
        }
        out.position(at);
    }
}
