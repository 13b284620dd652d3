package org.codeengine.plugin.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A small HTTP/1.1 server (RFC 9112) for Streamable HTTP: one virtual thread per connection reads its requests one
 * after another and serves each on that same thread, so a request costs no hand-off between a selector thread and a
 * handler thread and no wake-up of either (the JDK's HttpServer has both for every request). Keep-alive by default,
 * {@code Connection: close} honoured both ways; request bodies framed by {@code Content-Length} or chunked (a request
 * with both, or another transfer coding, is refused); {@code Expect: 100-continue}; responses of a known length, none,
 * or streamed in chunks until the exchange ends (SSE). Request line and headers together are bounded by
 * {@link #MAX_HEAD} bytes and {@link #MAX_HEADERS} fields; a connection idle longer than its idle time, or slower than
 * that in sending a request, is closed. Open connections are capped, in all and per remote address, so idle sockets
 * cannot pile up (each holds a thread and buffers). A connection over a cap takes the place of the connection that has
 * waited longest for a request (a keep-alive connection between requests, or one still sending its request's head),
 * in all or of its own address, whichever cap it meets, and that one is closed, as a server may close an idle
 * keep-alive connection at any time (RFC 9112 §9.5); a flood of idle sockets so keeps pushing out its own oldest, not
 * new clients. When every connection under the cap is busy serving a request, the new one is answered 503 with
 * {@code Connection: close} at once, without reading it, and closed. A closed connection frees its place.
 */
final class Http1Server implements AutoCloseable {
    /** The most bytes of a request line and its headers together. */
    static final int MAX_HEAD = 64 * 1024;
    /** The most header fields of one request. */
    static final int MAX_HEADERS = 100;
    /** The most bytes of a request body a handler left unread that are read and dropped to keep the connection. */
    private static final int MAX_DRAIN = 64 * 1024;
    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OVER_CAP = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; "
            + "charset=utf-8\r\nContent-Length: 21\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
            + "too many connections\n").getBytes(StandardCharsets.US_ASCII);

    /** Serves one exchange; the server completes the response when it returns. */
    @FunctionalInterface
    interface Handler {
        void handle(Exchange ex) throws IOException;
    }

    private final ServerSocket listener;
    private final Handler handler;
    private final int idleMillis;
    private final int maxConnections;
    private final int maxPerAddress;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    /** Open connections by remote address; only the acceptor adds, so a cap read before an add still holds. */
    private final Map<String, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    /**
     * The connections waiting for a request's head, with the {@link System#nanoTime()} they began to wait: the ones a
     * connection over a cap may push out. Whoever removes a connection's entry owns that wait: its own thread when the
     * head arrived, or the acceptor evicting it.
     */
    private final Map<Socket, Long> waiting = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private volatile boolean closed;

    /**
     * @param address where to listen
     * @param idle how long a connection may wait for its next request, or take to send one
     * @param maxConnections the most connections open at once
     * @param maxPerAddress the most connections of one remote address open at once, at most {@code maxConnections}
     * @param handler serves each exchange
     * @throws IOException if the address cannot be bound
     * @throws IllegalArgumentException if a cap is below 1, or the one per address above the other
     */
    Http1Server(InetSocketAddress address, Duration idle, int maxConnections, int maxPerAddress, Handler handler)
            throws IOException {
        if (maxConnections < 1 || maxPerAddress < 1 || maxPerAddress > maxConnections) {
            throw new IllegalArgumentException("maxConnections must be at least 1 and maxConnectionsPerAddress "
                    + "between 1 and it, but were " + maxConnections + " and " + maxPerAddress);
        }
        this.maxConnections = maxConnections;
        this.maxPerAddress = maxPerAddress;
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(address, 0);
        this.handler = handler;
        this.idleMillis = (int) Math.min(Integer.MAX_VALUE, idle.toMillis());
        this.acceptor = Thread.ofVirtual().name("mcp-http-accept").start(this::accept);
    }

    /** {@return how many connections are open now} */
    int connectionCount() {
        return connections.size();
    }

    /** {@return how many connections were refused for being over a cap since the server started} */
    long refusedConnections() {
        return refused.get();
    }

    /** {@return how many connections are waiting for a request's head now: those a new one may push out} */
    int waitingConnections() {
        return waiting.size();
    }

    /** {@return how many idle connections were closed to make room for new ones since the server started} */
    long evictedConnections() {
        return evicted.get();
    }

    /** {@return the port it listens on} */
    int port() {
        return listener.getLocalPort();
    }

    /** Stops listening and closes every connection; the handlers blocked on one see it fail. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        connections.forEach(Http1Server::quietly);
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue; // one failed accept (such as a connection reset at once) ends nothing
            }
            String address = socket.getInetAddress().getHostAddress();
            if (!admit(address) && !(evictIdle(address) && admit(address))) {
                overCap(socket);
                continue;
            }
            connections.add(socket);
            if (closed) {
                release(socket, address);
                quietly(socket);
                return;
            }
            Thread.ofVirtual().name("mcp-http").start(() -> serve(socket, address));
        }
    }

    /** {@return whether a connection of the address fits under both caps; if so, it is counted} */
    private boolean admit(String address) {
        if (connections.size() >= maxConnections) {
            return false;
        }
        boolean[] fits = {false};
        perAddress.compute(address, (a, open) -> {
            int now = open == null ? 0 : open;
            fits[0] = now < maxPerAddress;
            return fits[0] ? now + 1 : open;
        });
        return fits[0];
    }

    /**
     * Closes the connection that has waited longest for a request, among all, or among those of {@code address} when
     * that address is at its own cap, and frees its place.
     *
     * @return whether one was closed; false when every candidate is serving a request
     */
    private boolean evictIdle(String address) {
        boolean ownCap = perAddress.getOrDefault(address, 0) >= maxPerAddress;
        while (true) {
            Map.Entry<Socket, Long> oldest = null;
            for (Map.Entry<Socket, Long> e : waiting.entrySet()) {
                if ((!ownCap || address.equals(e.getKey().getInetAddress().getHostAddress())) && (oldest == null || e
                        .getValue() - oldest.getValue() < 0)) {
                    oldest = e;
                }
            }
            if (oldest == null) {
                return false;
            }
            Socket victim = oldest.getKey();
            if (waiting.remove(victim, oldest.getValue())) { // else its request's head arrived meanwhile: look again
                evicted.incrementAndGet();
                release(victim, victim.getInetAddress().getHostAddress());
                quietly(victim);
                return true;
            }
        }
    }

    private void release(Socket socket, String address) {
        if (connections.remove(socket)) {
            perAddress.computeIfPresent(address, (a, open) -> open <= 1 ? null : open - 1);
        }
    }

    /**
     * Answers 503 on a connection over a cap and closes it, on the acceptor's thread: a new socket's send buffer takes
     * the few bytes at once, and no thread is started for a connection that is refused.
     */
    private void overCap(Socket socket) {
        refused.incrementAndGet();
        try (socket) {
            socket.getOutputStream().write(OVER_CAP);
            socket.shutdownOutput();
        } catch (IOException e) {
            // the client went away already
        }
    }

    /** Serves the requests of one connection, one after another, until either side closes it. */
    private void serve(Socket socket, String source) {
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(idleMillis);
            Input in = new Input(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                Conn exchange;
                waiting.put(socket, System.nanoTime());
                try {
                    exchange = Conn.read(in, out, source);
                } catch (BadRequest e) {
                    if (waiting.remove(socket) == null) {
                        return; // pushed out meanwhile, by a connection over a cap
                    }
                    refuse(out, e);
                    linger(socket, in);
                    return;
                }
                if (waiting.remove(socket) == null || exchange == null) {
                    return; // pushed out meanwhile, or the client closed the connection between requests
                }
                try {
                    handler.handle(exchange);
                } catch (RuntimeException e) {
                    if (!exchange.sent) {
                        exchange.responseHeader("Content-Type", "text/plain; charset=utf-8");
                        byte[] text = "internal error".getBytes(StandardCharsets.US_ASCII);
                        exchange.close = true;
                        exchange.send(500, text.length).write(text);
                    }
                    exchange.finish();
                    return;
                }
                if (!exchange.finish()) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away, timed out, or the server is closing
        } finally {
            waiting.remove(socket);
            release(socket, source);
        }
    }

    private static void refuse(OutputStream out, BadRequest e) throws IOException {
        byte[] text = (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + e.status + " " + reason(e.status) + "\r\nContent-Type: text/plain; charset=utf-8"
                + "\r\nContent-Length: " + text.length + "\r\nConnection: close\r\n\r\n";
        out.write(concat(head.getBytes(StandardCharsets.US_ASCII), text));
        out.flush();
    }

    /**
     * Reads and drops what the client still sends, for a short while, before the connection closes: closing with
     * unread bytes would reset it, and the client could lose the refusal just sent.
     */
    private static void linger(Socket socket, Input in) throws IOException {
        socket.shutdownOutput();
        socket.setSoTimeout(1_000);
        byte[] skip = new byte[4096];
        for (int total = 0; total < 1 << 20;) {
            int n = in.read(skip, 0, skip.length);
            if (n < 0) {
                return;
            }
            total += n;
        }
    }

    private static void quietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 417 -> "Expectation Failed";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            case 505 -> "HTTP Version Not Supported";
            default -> "Status";
        };
    }

    /** A request the server refuses before any handler sees it, with the status it gets. */
    private static final class BadRequest extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** The connection's input, buffered: the request heads are parsed from the buffer, bodies read through it. */
    private static final class Input {
        private final InputStream in;
        private final byte[] buf = new byte[16 * 1024];
        private int pos;
        private int lim;

        Input(InputStream in) {
            this.in = in;
        }

        /** {@return whether bytes are there (reading more if none are buffered), false at the end of the stream} */
        boolean fill() throws IOException {
            if (pos < lim) {
                return true;
            }
            int n = in.read(buf, 0, buf.length);
            if (n <= 0) {
                return false;
            }
            pos = 0;
            lim = n;
            return true;
        }

        /**
         * @param budget how many bytes the head may still take
         * @return one line without its CRLF (a bare LF ends one too), or null at the end of the stream before any byte
         */
        @Nullable
        String line(int[] budget) throws IOException {
            StringBuilder line = null;
            while (true) {
                if (!fill()) {
                    if (line == null) {
                        return null;
                    }
                    throw new BadRequest(400, "the request ended inside its head");
                }
                int start = pos;
                while (pos < lim && buf[pos] != '\n') {
                    pos++;
                }
                int end = pos;
                boolean done = pos < lim;
                if (done) {
                    pos++; // the LF
                }
                budget[0] -= pos - start;
                if (budget[0] < 0) {
                    throw new BadRequest(431, "the request line and headers are longer than " + MAX_HEAD + " bytes");
                }
                if (done && line == null) { // the whole line was in the buffer: one copy
                    int length = end > start && buf[end - 1] == '\r' ? end - start - 1 : end - start;
                    return new String(buf, start, length, StandardCharsets.ISO_8859_1);
                }
                if (line == null) {
                    line = new StringBuilder(end - start);
                }
                for (int i = start; i < end; i++) {
                    line.append((char) (buf[i] & 0xff));
                }
                if (done) {
                    int length = line.length();
                    if (length > 0 && line.charAt(length - 1) == '\r') {
                        line.setLength(length - 1);
                    }
                    return line.toString();
                }
            }
        }

        int read(byte[] b, int off, int len) throws IOException {
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, lim - pos);
            System.arraycopy(buf, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** One exchange on a connection: the request read, the response written through the connection's output. */
    private static final class Conn implements Exchange {
        private final String method;
        private final String path;
        private final String source;
        private final List<String> headers; // name, value, name, value...
        private final List<String> responseHeaders = new ArrayList<>();
        private final Body body;
        private final OutputStream socketOut;
        private final boolean http11;
        boolean close;
        boolean sent;
        private @Nullable Response response;

        private Conn(String method, String path, String source, List<String> headers, Body body, OutputStream out,
                boolean http11, boolean close) {
            this.method = method;
            this.path = path;
            this.source = source;
            this.headers = headers;
            this.body = body;
            this.socketOut = out;
            this.http11 = http11;
            this.close = close;
        }

        /** {@return the next request's exchange, or null when the connection ended before one began} */
        static @Nullable Conn read(Input in, OutputStream out, String source) throws IOException {
            int[] budget = {MAX_HEAD};
            String requestLine = in.line(budget);
            while (requestLine != null && requestLine.isEmpty()) {
                requestLine = in.line(budget); // an empty line before a request is ignored (RFC 9112 §2.2)
            }
            if (requestLine == null) {
                return null;
            }
            String[] parts = requestLine.split(" ", -1);
            if (parts.length != 3 || parts[0].isEmpty() || !token(parts[0])) {
                throw new BadRequest(400, "the request line must be METHOD SP target SP HTTP-version");
            }
            boolean http11 = switch (parts[2]) {
                case "HTTP/1.1" -> true;
                case "HTTP/1.0" -> false;
                default -> throw new BadRequest(505, "the HTTP version must be HTTP/1.1 or HTTP/1.0");
            };
            String path;
            try {
                URI target = new URI(parts[1]);
                path = target.getPath();
                if (path == null || !path.startsWith("/")) {
                    throw new BadRequest(400, "the request target must be a path, such as /mcp");
                }
            } catch (URISyntaxException e) {
                throw new BadRequest(400, "the request target is no URI");
            }
            List<String> headers = new ArrayList<>(16);
            while (true) {
                String line = in.line(budget);
                if (line == null) {
                    throw new BadRequest(400, "the request ended inside its head");
                }
                if (line.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon <= 0 || !token(line.substring(0, colon))) {
                    throw new BadRequest(400, "a header line must be name: value, the name a token without spaces");
                }
                if (headers.size() == 2 * MAX_HEADERS) {
                    throw new BadRequest(431, "a request may have at most " + MAX_HEADERS + " header fields");
                }
                headers.add(line.substring(0, colon));
                headers.add(line.substring(colon + 1).strip());
            }
            String connection = first(headers, "Connection");
            boolean close = connection != null
                    ? connection.toLowerCase(Locale.ROOT).contains("close") || !http11 && !connection.toLowerCase(
                            Locale.ROOT).contains("keep-alive")
                    : !http11;
            Body body = Body.of(headers, in);
            String expect = first(headers, "Expect");
            Conn exchange = new Conn(parts[0], path, source, headers, body, out, http11, close);
            if (expect != null) {
                if (!expect.equalsIgnoreCase("100-continue")) {
                    throw new BadRequest(417, "the only expectation served is 100-continue");
                }
                if (http11) {
                    body.continueTo = out;
                }
            }
            return exchange;
        }

        private static boolean token(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".indexOf(c) >= 0) {
                    return false;
                }
            }
            return !s.isEmpty();
        }

        private static @Nullable String first(List<String> headers, String name) {
            for (int i = 0; i < headers.size(); i += 2) {
                if (headers.get(i).equalsIgnoreCase(name)) {
                    return headers.get(i + 1);
                }
            }
            return null;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public String path() {
            return path;
        }

        @Override
        public String source() {
            return source;
        }

        @Override
        public @Nullable String requestHeader(String name) {
            return first(headers, name);
        }

        @Override
        public InputStream body() {
            return body;
        }

        @Override
        public void responseHeader(String name, String value) {
            if (!token(name) || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a response header needs a token name and a value without CR or "
                        + "LF: " + name);
            }
            for (int i = 0; i < responseHeaders.size(); i += 2) {
                if (responseHeaders.get(i).equalsIgnoreCase(name)) {
                    responseHeaders.set(i + 1, value);
                    return;
                }
            }
            responseHeaders.add(name);
            responseHeaders.add(value);
        }

        @Override
        public OutputStream send(int status, long length) throws IOException {
            if (sent) {
                throw new IOException("the response was sent already");
            }
            sent = true;
            body.continueTo = null; // the answer came before the body was asked for: no 100 Continue
            String connection = first(responseHeaders, "Connection");
            if (connection != null && connection.equalsIgnoreCase("close")) {
                close = true;
            }
            boolean noBody = status / 100 == 1 || status == 204 || status == 304;
            boolean chunked = length == 0 && !noBody && http11;
            if (length == 0 && !noBody && !http11) {
                close = true; // an HTTP/1.0 client reads a stream of unknown length until the connection ends
            }
            StringBuilder head = new StringBuilder(128).append("HTTP/1.1 ").append(status).append(' ').append(reason(
                    status)).append("\r\n");
            for (int i = 0; i < responseHeaders.size(); i += 2) {
                if (!responseHeaders.get(i).equalsIgnoreCase("Connection")) {
                    head.append(responseHeaders.get(i)).append(": ").append(responseHeaders.get(i + 1)).append("\r\n");
                }
            }
            if (chunked) {
                head.append("Transfer-Encoding: chunked\r\n");
            } else if (!noBody && length != 0) {
                head.append("Content-Length: ").append(Math.max(0, length)).append("\r\n");
            }
            if (close) {
                head.append("Connection: close\r\n");
            }
            head.append("\r\n");
            Response r = new Response(socketOut, head.toString().getBytes(StandardCharsets.ISO_8859_1), chunked,
                    length > 0 ? length : length < 0 || noBody ? 0 : -1, method.equals("HEAD"));
            response = r;
            return r;
        }

        /**
         * Completes the response after the handler returned and reads what is left of the request's body.
         *
         * @return whether the connection serves another request
         */
        boolean finish() throws IOException {
            Response r = response;
            if (r == null) {
                return false; // the handler sent nothing: only closing the connection tells the client
            }
            if (!r.end()) {
                return false;
            }
            return !close && body.drain(MAX_DRAIN);
        }
    }

    /** A request's body: a known length or chunked (RFC 9112 §7.1), read from the connection's buffer. */
    private static final class Body extends InputStream {
        private final Input in;
        private final boolean chunked;
        private long remaining; // of the body, or of the current chunk
        private boolean ended;
        private boolean chunkStarted;
        @Nullable
        OutputStream continueTo; // where 100 Continue goes before the first read, when the client expects it

        private Body(Input in, boolean chunked, long length) {
            this.in = in;
            this.chunked = chunked;
            this.remaining = chunked ? 0 : length;
            this.ended = !chunked && length == 0;
        }

        static Body of(List<String> headers, Input in) throws BadRequest {
            String coding = null;
            String length = null;
            for (int i = 0; i < headers.size(); i += 2) {
                String name = headers.get(i);
                String value = headers.get(i + 1);
                if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    coding = coding == null ? value : coding + "," + value;
                } else if (name.equalsIgnoreCase("Content-Length")) {
                    if (length != null && !length.equals(value)) {
                        throw new BadRequest(400, "Content-Length must be given once");
                    }
                    length = value;
                }
            }
            if (coding != null) {
                if (length != null) {
                    throw new BadRequest(400, "a request may not have both Transfer-Encoding and Content-Length");
                }
                if (!coding.strip().equalsIgnoreCase("chunked")) {
                    throw new BadRequest(501, "the only transfer coding served is chunked");
                }
                return new Body(in, true, 0);
            }
            if (length == null) {
                return new Body(in, false, 0);
            }
            if (length.isEmpty() || length.length() > 18 || !length.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new BadRequest(400, "Content-Length must be a decimal number of bytes");
            }
            return new Body(in, false, Long.parseLong(length));
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!ready()) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new IOException("the request ended inside its body");
            }
            remaining -= n;
            if (!chunked && remaining == 0) {
                ended = true;
            }
            return n;
        }

        @Override
        public byte[] readNBytes(int len) throws IOException {
            if (chunked || len < 0) {
                return super.readNBytes(len);
            }
            byte[] all = new byte[(int) Math.min(len, remaining)]; // a known length: one array of the right size
            int n = readNBytes(all, 0, all.length);
            return n == all.length ? all : Arrays.copyOf(all, n);
        }

        /** {@return whether body bytes are left to read at {@link #remaining}; false at the body's end} */
        private boolean ready() throws IOException {
            OutputStream out = continueTo;
            if (out != null) {
                continueTo = null;
                out.write(CONTINUE);
                out.flush();
            }
            if (ended) {
                return false;
            }
            if (remaining > 0) {
                return true;
            }
            // chunked: after the data of one chunk its CRLF, then the next chunk's size line
            int[] budget = {MAX_HEAD};
            if (chunkStarted) {
                String crlf = in.line(budget);
                if (crlf == null || !crlf.isEmpty()) {
                    throw new BadRequest(400, "a chunk's data must end with CRLF");
                }
            }
            String size = in.line(budget);
            if (size == null) {
                throw new IOException("the request ended inside its body");
            }
            int semi = size.indexOf(';');
            String hex = (semi < 0 ? size : size.substring(0, semi)).strip();
            if (hex.isEmpty() || hex.length() > 15 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                throw new BadRequest(400, "a chunk size must be a hexadecimal number");
            }
            remaining = Long.parseLong(hex, 16);
            chunkStarted = true;
            if (remaining == 0) {
                String trailer;
                do {
                    trailer = in.line(budget); // trailer fields are read and dropped
                    if (trailer == null) {
                        throw new IOException("the request ended inside its trailers");
                    }
                } while (!trailer.isEmpty());
                ended = true;
                return false;
            }
            return true;
        }

        /** {@return whether the rest of the body, at most {@code most} bytes of it, was read} */
        boolean drain(int most) throws IOException {
            continueTo = null; // a client waiting for 100 Continue sends no body: nothing to drain
            if (ended) {
                return true;
            }
            if (!chunked && remaining > most) {
                return false;
            }
            byte[] skip = new byte[4096];
            long left = most;
            while (left > 0) {
                int n = read(skip, 0, (int) Math.min(skip.length, left));
                if (n < 0) {
                    return true;
                }
                left -= n;
            }
            return ended;
        }
    }

    /**
     * A response's body: of a known length (checked), none, or chunked, each {@link #flush} sending what was written.
     * The head goes with the first bytes of the body, so a whole small response is one write to the socket. Used by
     * one thread at a time; closed for good once the exchange is complete.
     */
    private static final class Response extends OutputStream {
        private final OutputStream socket;
        private final boolean chunked;
        private final boolean discard;
        private long left; // bytes the known length still needs; -1 when not known
        private byte @Nullable [] head;
        private byte[] pending = new byte[512];
        private int count;
        private boolean ended;

        Response(OutputStream socket, byte[] head, boolean chunked, long length, boolean discard) {
            this.socket = socket;
            this.head = head;
            this.chunked = chunked;
            this.left = length;
            this.discard = discard;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (ended) {
                throw new IOException("the exchange is complete");
            }
            if (left >= 0) {
                if (len > left) {
                    throw new IOException("more bytes than the response's Content-Length");
                }
                left -= len;
            }
            if (discard) {
                return;
            }
            if (count + len > pending.length) {
                pending = Arrays.copyOf(pending, Math.max(pending.length * 2, count + len));
            }
            System.arraycopy(b, off, pending, count, len);
            count += len;
        }

        @Override
        public synchronized void flush() throws IOException {
            if (ended) {
                throw new IOException("the exchange is complete");
            }
            send(false);
        }

        private void send(boolean last) throws IOException {
            byte[] h = head;
            int size = (h == null ? 0 : h.length) + count + (chunked ? 20 : 0) + (last && chunked ? 5 : 0);
            if (size == 0) {
                return;
            }
            byte[] all = new byte[size];
            int at = 0;
            if (h != null) {
                System.arraycopy(h, 0, all, 0, h.length);
                at = h.length;
                head = null;
            }
            if (chunked && count > 0) {
                byte[] line = (Integer.toHexString(count) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(line, 0, all, at, line.length);
                at += line.length;
            }
            System.arraycopy(pending, 0, all, at, count);
            at += count;
            if (chunked && count > 0) {
                all[at++] = '\r';
                all[at++] = '\n';
            }
            count = 0;
            if (last && chunked) {
                System.arraycopy(LAST_CHUNK, 0, all, at, LAST_CHUNK.length);
                at += LAST_CHUNK.length;
            }
            socket.write(all, 0, at);
            socket.flush();
        }

        /** Sends what is left and ends the body; @return whether it ended whole (the connection may go on) */
        synchronized boolean end() throws IOException {
            if (ended) {
                return false;
            }
            ended = true;
            try {
                send(left <= 0);
            } catch (SocketException e) {
                return false;
            }
            // fewer bytes than promised: the client can only learn it by the connection's end
            return left <= 0;
        }

        @Override
        public synchronized void close() throws IOException {
            if (!ended) {
                send(false); // the exchange ends when its handler returns, not here
            }
        }
    }
}
