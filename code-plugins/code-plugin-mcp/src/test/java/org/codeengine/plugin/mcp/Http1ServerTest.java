package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 layer under {@link McpHttpServer}, spoken to byte for byte on a raw socket. */
class Http1ServerTest {
    /** A permit for each request of {@code /hold} being served. */
    private static final Semaphore HELD = new Semaphore(0);
    /** A permit lets one request of {@code /hold} answer. */
    private static final Semaphore RELEASE = new Semaphore(0);

    private Http1Server server;

    @BeforeEach
    void start() throws IOException {
        HELD.drainPermits();
        RELEASE.drainPermits();
        server = start(1_024, 1_024);
    }

    /** {@return a server on a free port with these caps on connections, serving the test paths} */
    private static Http1Server start(int most, int perAddress) throws IOException {
        return new Http1Server(new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(5), most, perAddress, ex -> {
            switch (ex.path()) {
                case "/echo" -> {
                    byte[] body = ex.body().readAllBytes();
                    byte[] answer = (ex.method() + " " + body.length + " " + new String(body,
                            StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                    ex.responseHeader("Content-Type", "text/plain");
                    OutputStream out = ex.send(200, answer.length);
                    out.write(answer);
                    out.flush();
                }
                case "/stream" -> {
                    OutputStream out = ex.send(200, 0);
                    out.write("first".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    out.write("second".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                case "/header" -> {
                    String value = String.valueOf(ex.requestHeader("x-long"));
                    byte[] answer = (value.length() + " " + value.substring(value.length() - 3))
                            .getBytes(StandardCharsets.US_ASCII);
                    ex.send(200, answer.length).write(answer);
                }
                case "/short" -> ex.send(200, 10).write('x');
                case "/none" -> ex.send(202, -1);
                case "/hold" -> { // busy until the test lets it answer
                    HELD.release();
                    RELEASE.acquireUninterruptibly();
                    ex.send(204, -1);
                }
                case "/unread" -> ex.send(204, -1); // the body is left for the server to drop
                default -> throw new IllegalStateException("no such test path");
            }
        });
    }

    /** {@return the response to one keep-alive echo request on the connection} */
    private static String echo(Socket s, String text) throws IOException {
        send(s, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " + text.length() + "\r\n\r\n" + text);
        return response(s.getInputStream());
    }

    /** {@return everything the server sends on a new connection before it closes it, the client sending nothing} */
    private String refusal(Socket s) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        s.getInputStream().transferTo(all);
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Waits until {@code n} connections wait for a request: a connection's thread marks its wait after its response
     * went out, so without this a client could outrun it and the order of the waits would not be the test's.
     */
    private void awaitWaiting(int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.waitingConnections() != n) {
            assertThat(System.nanoTime()).as("connections waiting for a request: " + n).isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(5_000);
        return s;
    }

    /** {@return everything the server sends to {@code request} on a new connection, until it closes it} */
    private String untilClosed(String request) throws IOException {
        try (Socket s = connect()) {
            send(s, request);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** {@return one response with a Content-Length body, read exactly} */
    private static String response(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after: " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    @Test
    void pipelinedRequests_areAnsweredInOrder_onOneConnection() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\none"
                    + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\ntwo");
            String first = response(s.getInputStream());
            String second = response(s.getInputStream());
            assertThat(first).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nPOST 3 one").doesNotContain(
                    "Connection: close");
            assertThat(second).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nPOST 3 two");
        }
    }

    @Test
    void chunkedRequestBody_isReadWhole_withExtensionsAndTrailers() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n");
            assertThat(response(s.getInputStream())).endsWith("POST 12 hello, world");
        }
    }

    @Test
    void expectContinue_getsContinue_beforeTheBodyIsSent() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /echo HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            byte[] interim = s.getInputStream().readNBytes("HTTP/1.1 100 Continue\r\n\r\n".length());
            assertThat(new String(interim, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            send(s, "body");
            assertThat(response(s.getInputStream())).startsWith("HTTP/1.1 200 OK").endsWith("POST 4 body");
        }
    }

    @Test
    void contentLengthAndChunked_together_areRefused_andTheConnectionCloses() throws IOException {
        assertThat(untilClosed("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")).startsWith("HTTP/1.1 400 Bad Request\r\n")
                .contains("Connection: close").contains("both Transfer-Encoding and Content-Length");
    }

    @Test
    void badContentLength_andUnknownCoding_andBadVersion_eachGetTheirStatus() throws IOException {
        assertThat(untilClosed("POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n")).startsWith(
                "HTTP/1.1 400 ").contains("Content-Length must be a decimal");
        assertThat(untilClosed("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"))
                .startsWith("HTTP/1.1 501 ");
        assertThat(untilClosed("GET /echo HTTP/2.0\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 505 ");
        assertThat(untilClosed("GET /echo HTTP/1.1\r\nBad Name: x\r\n\r\n")).startsWith("HTTP/1.1 400 ").contains(
                "a header line must be name: value");
    }

    @Test
    void aHeaderLongerThanTheReadBuffer_isReadWhole_andFoundWithoutRegardToCase() throws IOException {
        try (Socket s = connect()) {
            String value = "v".repeat(40_000) + "end";
            send(s, "GET /header HTTP/1.1\r\nHost: a\r\nX-Long: " + value + "\r\n\r\n");
            assertThat(response(s.getInputStream())).endsWith("\r\n\r\n40003 end");
        }
    }

    @Test
    void aHeadOverTheLimit_gets431() throws IOException {
        assertThat(untilClosed("GET /echo HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(Http1Server.MAX_HEAD)
                + "\r\n\r\n")).startsWith("HTTP/1.1 431 ");
        StringBuilder many = new StringBuilder("GET /echo HTTP/1.1\r\nHost: a\r\n");
        for (int i = 0; i < Http1Server.MAX_HEADERS; i++) {
            many.append("X-").append(i).append(": v\r\n");
        }
        assertThat(untilClosed(many.append("\r\n").toString())).startsWith("HTTP/1.1 431 ").contains("at most "
                + Http1Server.MAX_HEADERS);
    }

    @Test
    void streamedResponse_isChunked_oneChunkPerFlush_andEnds() throws IOException {
        assertThat(untilClosed("GET /stream HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")).startsWith(
                "HTTP/1.1 200 OK\r\n").contains("Transfer-Encoding: chunked\r\n").contains("Connection: close\r\n")
                .endsWith("\r\n\r\n5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n");
    }

    @Test
    void http10_streamedResponse_endsWithTheConnection() throws IOException {
        assertThat(untilClosed("GET /stream HTTP/1.0\r\nHost: a\r\n\r\n")).contains("Connection: close\r\n")
                .doesNotContain("chunked").endsWith("\r\n\r\nfirstsecond");
    }

    @Test
    void aResponseShorterThanItsLength_closesTheConnection() throws IOException {
        assertThat(untilClosed("GET /short HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n")
                .contains("Content-Length: 10\r\n").endsWith("\r\n\r\nx");
    }

    @Test
    void aFailingHandler_gets500_andTheConnectionCloses() throws IOException {
        assertThat(untilClosed("GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 500 ").contains(
                "Connection: close").endsWith("internal error");
    }

    @Test
    void noBodyAnswers_andABodyLeftUnread_keepTheConnection() throws IOException {
        try (Socket s = connect()) {
            send(s, "POST /none HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
                    + "POST /unread HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                    + "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok");
            assertThat(response(s.getInputStream())).startsWith("HTTP/1.1 202 Accepted\r\n").contains(
                    "Content-Length: 0\r\n");
            assertThat(response(s.getInputStream())).startsWith("HTTP/1.1 204 No Content\r\n").doesNotContain(
                    "Content-Length");
            assertThat(response(s.getInputStream())).endsWith("POST 2 ok");
        }
    }

    @Test
    void aConnectionOverTheCap_pushesOutTheOneIdleLongest_andGets503OnlyWhenAllAreBusy() throws Exception {
        server.close();
        server = start(3, 3);
        List<Socket> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) { // each served once, then idle between requests, the first idle longest
                open.add(connect());
                assertThat(echo(open.get(i), "a" + i)).startsWith("HTTP/1.1 200 OK").endsWith("POST 2 a" + i);
                awaitWaiting(i + 1);
            }
            open.add(connect());
            assertThat(echo(open.get(3), "new")).startsWith("HTTP/1.1 200 OK").endsWith("POST 3 new");
            assertThat(refusal(open.get(0))).as("the longest idle connection is closed, without a word").isEmpty();
            open.remove(0).close();
            assertThat(server.evictedConnections()).isEqualTo(1);
            assertThat(server.refusedConnections()).isZero();
            assertThat(server.connectionCount()).isEqualTo(3);
            for (int i = 0; i < 3; i++) { // the others are served on as before
                assertThat(echo(open.get(i), "b" + i)).startsWith("HTTP/1.1 200 OK").endsWith("POST 2 b" + i)
                        .doesNotContain("Connection: close");
            }

            for (Socket s : open) { // now every connection is serving a request
                send(s, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
            }
            assertThat(HELD.tryAcquire(3, 10, TimeUnit.SECONDS)).isTrue();
            try (Socket over = connect()) {
                assertThat(refusal(over)).startsWith("HTTP/1.1 503 Service Unavailable\r\n").contains(
                        "Connection: close\r\n").endsWith("too many connections\n");
            }
            assertThat(server.refusedConnections()).isEqualTo(1);
            RELEASE.release(3);
            for (Socket s : open) { // a busy connection was not touched
                assertThat(response(s.getInputStream())).startsWith("HTTP/1.1 204 No Content");
            }
            assertThat(server.evictedConnections()).isEqualTo(1);
        } finally {
            RELEASE.release(3);
            for (Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void anAddressAtItsOwnCap_pushesOutOnlyItsOwnIdleConnections_andElseIsRefused() throws Exception {
        server.close();
        server = start(4, 2);
        try (Socket other = new Socket()) { // 127.0.0.0/8 is all loopback: another address on this host
            other.bind(new InetSocketAddress("127.0.0.2", 0));
            other.connect(new InetSocketAddress("127.0.0.1", server.port()));
            other.setSoTimeout(5_000);
            assertThat(echo(other, "0")).startsWith("HTTP/1.1 200 OK"); // idle longest of all from now on
            awaitWaiting(1);
            try (Socket first = connect()) {
                assertThat(echo(first, "1")).startsWith("HTTP/1.1 200 OK");
                awaitWaiting(2);
                try (Socket second = connect()) {
                    assertThat(echo(second, "2")).startsWith("HTTP/1.1 200 OK");
                    awaitWaiting(3);
                    try (Socket third = connect()) {
                        assertThat(echo(third, "3")).startsWith("HTTP/1.1 200 OK").endsWith("POST 1 3");
                        assertThat(refusal(first)).as("its own longest idle goes, not another address's").isEmpty();
                        assertThat(echo(other, "4")).startsWith("HTTP/1.1 200 OK").endsWith("POST 1 4");

                        send(second, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
                        send(third, "GET /hold HTTP/1.1\r\nHost: a\r\n\r\n");
                        assertThat(HELD.tryAcquire(2, 10, TimeUnit.SECONDS)).isTrue();
                        try (Socket fourth = connect()) {
                            assertThat(refusal(fourth)).startsWith("HTTP/1.1 503 ");
                        } finally {
                            RELEASE.release(2);
                        }
                        assertThat(response(second.getInputStream())).startsWith("HTTP/1.1 204 No Content");
                        assertThat(response(third.getInputStream())).startsWith("HTTP/1.1 204 No Content");
                    }
                }
            }
            assertThat(echo(other, "5")).startsWith("HTTP/1.1 200 OK");
            assertThat(server.refusedConnections()).isEqualTo(1);
            assertThat(server.evictedConnections()).isEqualTo(1);
        }
    }

    @Test
    void connectionCaps_thatBreakTheirRules_areRefusedByName() {
        assertThatThrownBy(() -> McpHttpServer.Options.loopback(0).withConnectionLimits(2, 3)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining(
                        "maxConnectionsPerAddress between 1 and "
                                + "maxConnections (2) but was 3");
        assertThatThrownBy(() -> McpHttpServer.Options.loopback(0).withConnectionLimits(0, 1)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("maxConnections must be at least 1");
    }
}
