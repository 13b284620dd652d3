package org.codeengine.examples.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.codeengine.examples.mcp.HostileMessages.Hostile;
import org.codeengine.examples.mcp.HostileMessages.Kind;
import org.codeengine.examples.mcp.HostileMessages.Outcome;
import org.codeengine.plugin.mcp.McpHttpServer;
import org.codeengine.plugin.mcp.McpServer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * 10,000 malformed or hostile JSON-RPC messages ({@link HostileMessages}: truncated, binary junk, invalid UTF-8, wrong
 * types, null and huge ids, 100,000 levels of nesting, 10 MB strings, a few MB that parse into a hundred, unknown
 * methods, batches, notifications with bad params, responses to nothing) at the MCP server, over stdio (the fixture
 * server in a child process with a 64 MB heap that it exits on running out of) and over Streamable HTTP (in this
 * process, four clients at once); then 1,000 batches at revision 2025-03-26, which has them, and over HTTP what only
 * HTTP carries (sessions, headers, methods, bodies over the limit, requests that are no HTTP). Each message must get
 * the outcome the spec gives it; afterwards the server must still answer within a deadline, the child must be alive
 * and quiet on stderr, and no session may be left on the transport or the server. A failure names each message that
 * went wrong (all of them in {@code target/mcp-fuzz-*-failures.txt}), and message {@code i} is the same bytes on every
 * run. {@code -Dmcp.fuzz.seed}, {@code -Dmcp.fuzz.count} and {@code -Dmcp.fuzz.batches} choose other messages,
 * {@code -Dmcp.fuzz.heap} another heap.
 */
class McpFuzzTest {
    private static final long SEED = Long.getLong("mcp.fuzz.seed", 20_251_125L);
    private static final int COUNT = Integer.getInteger("mcp.fuzz.count", 10_000);
    private static final int BATCHES = Integer.getInteger("mcp.fuzz.batches", 1_000);
    private static final HostileMessages MESSAGES = new HostileMessages(SEED);
    /** The child's heap: small, so that a server that buffers or builds more than its limits allow runs out of it. */
    private static final String HEAP = System.getProperty("mcp.fuzz.heap", "64m");
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    /** Reads what the server writes, whatever its size: the test trusts the server's output, not its input. */
    private static final JsonMapper LENIENT = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(
            StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).maxNumberLength(100_000)
                    .maxNestingDepth(1_000).build())
            .build()).build();

    private static String initialize(String revision) {
        return "{\"jsonrpc\":\"2.0\",\"id\":\"init\",\"method\":\"initialize\",\"params\":{\"protocolVersion\":\""
                + revision + "\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}";
    }

    // ------------------------------------------------------------------ stdio

    @Test
    void stdio_answersEveryHostileMessageAsTheSpecSays_andKeepsServingIn64MB() throws Exception {
        Failures failures = new Failures();
        try (Stdio stdio = Stdio.start("mcp-fuzz-stdio")) {
            for (int i = 0; i < 200; i++) {
                stdio.check(MESSAGES.beforeInitialize(i), failures);
            }
            stdio.initialize("2025-11-25", failures);
            for (int i = 0; i < COUNT; i++) {
                stdio.check(MESSAGES.get(i), failures);
            }

            // a second request with the id of one still running is refused; cancelling the first ends it unanswered
            stdio.send(
                    "{\"jsonrpc\":\"2.0\",\"id\":\"dup\",\"method\":\"tools/call\",\"params\":{\"name\":\"code_slow\"}}");
            stdio.send("{\"jsonrpc\":\"2.0\",\"id\":\"dup\",\"method\":\"ping\"}");
            stdio.send(
                    "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":\"dup\"}}");
            stdio.awaitCancelled();
            stdio.expect("\"dup\"", new Outcome(Kind.ERROR, -32600, "\"dup\"", 200), failures);

            stdio.finish(failures);
        }
        failures.assertNone(Path.of("target/mcp-fuzz-stdio-failures.txt").toAbsolutePath());
    }

    @Test
    void stdio_answersBatchesOf2025_03_26_withOneArrayEach() throws Exception {
        Failures failures = new Failures();
        try (Stdio stdio = Stdio.start("mcp-fuzz-stdio-batches")) {
            stdio.initialize("2025-03-26", failures);
            for (int i = 0; i < BATCHES; i++) {
                stdio.check(MESSAGES.batch(i), failures);
            }
            stdio.finish(failures);
        }
        failures.assertNone(Path.of("target/mcp-fuzz-stdio-batches-failures.txt").toAbsolutePath());
    }

    /** An answer the test waits for: what it answers and what it must be. */
    private record Awaited(String family, String description, Outcome outcome) {}

    /**
     * The fixture server in a child process, over its stdin and stdout, with a small heap ({@link #HEAP}) that it exits
     * on running out of, and its stderr in a file.
     */
    private static final class Stdio implements AutoCloseable {
        private final Process child;
        private final Path log;
        private final OutputStream in;
        /** Answers with an id, by the id's JSON text. */
        private final Map<String, List<JsonNode>> answers = new ConcurrentHashMap<>();
        /** Answers without id (errors about messages whose id could not be read). */
        private final BlockingQueue<JsonNode> idless = new LinkedBlockingQueue<>();
        /** Lines that were no JSON-RPC answer at all. */
        private final List<String> garbage = new CopyOnWriteArrayList<>();
        /** The answers to batches: arrays. */
        private final BlockingQueue<JsonNode> arrays = new LinkedBlockingQueue<>();
        /** Answers awaited, by id, with the message they answer. */
        private final Map<String, Awaited> expected = new LinkedHashMap<>();
        private final Thread reader;
        private int marks;

        private Stdio(Process child, Path log) {
            this.child = child;
            this.log = log;
            this.in = child.getOutputStream();
            this.reader = Thread.ofVirtual().name("fuzz-stdio-reader").start(this::read);
        }

        static Stdio start(String name) throws IOException {
            Path log = Path.of("target/" + name + ".log").toAbsolutePath();
            String modulePath = Files.readString(Path.of("target/module-path.txt")).strip() + File.pathSeparator
                    + Path.of("target/classes").toAbsolutePath();
            return new Stdio(new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-Xmx" + HEAP,
                    "-XX:+ExitOnOutOfMemoryError", "-p", modulePath, "-m",
                    "org.codeengine.examples/org.codeengine.examples.mcp.ConformanceServer", "--stdio")
                    .redirectError(log.toFile()).start(), log);
        }

        void initialize(String revision, Failures failures) throws IOException, InterruptedException {
            send(McpFuzzTest.initialize(revision));
            expect("\"init\"", null, failures);
        }

        private void read() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    JsonNode message;
                    try {
                        message = LENIENT.readTree(line);
                    } catch (RuntimeException e) {
                        garbage.add(clip(line));
                        continue;
                    }
                    JsonNode id = message.get("id");
                    if (message.isArray()) {
                        arrays.add(message);
                    } else if (message.has("method") || !message.isObject()) {
                        garbage.add(clip(line)); // the server sends nothing of its own in this test
                    } else if (id == null) {
                        idless.add(message);
                    } else {
                        answers.computeIfAbsent(id.toString(), k -> new CopyOnWriteArrayList<>()).add(message);
                    }
                    synchronized (this) {
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                // the child ended
            }
        }

        void send(byte[] message) throws IOException {
            in.write(message);
            in.write('\n');
            in.flush();
        }

        void send(String message) throws IOException {
            send(message.getBytes(StandardCharsets.UTF_8));
        }

        /** Sends {@code message} and a ping after it, and checks what came before the ping's answer. */
        void check(Hostile message, Failures failures) throws IOException, InterruptedException {
            send(message.bytes());
            sync(message);
            if (!child.isAlive()) {
                throw new AssertionError("the server died after " + message.describe() + "; " + state());
            }
            List<JsonNode> got = new ArrayList<>();
            idless.drainTo(got);
            Outcome outcome = message.outcome();
            if (outcome.kind() == Kind.BATCH) {
                // the array comes once every message of the batch is answered, which may be after the ping's answer
                JsonNode array = outcome.answers().isEmpty()
                        ? arrays.poll()
                        : arrays.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                if (array == null && !outcome.answers().isEmpty()) {
                    // stop here rather than wait as long again for each batch that follows
                    throw new AssertionError("no array answered " + message.describe() + " within " + DEADLINE
                            + "; answers with ids so far: " + answers.keySet().stream().filter(k -> !k.startsWith(
                                    "\"mark-")).toList());
                }
                if (!got.isEmpty() || !outcome.answers().isEmpty() && !batchMatches(array, outcome)
                        || outcome.answers().isEmpty() && array != null) {
                    failures.add(message, "answers without id: " + got + ", array: " + array);
                }
                return;
            }
            boolean answeredWithoutId = (outcome.kind() == Kind.ERROR || outcome.kind() == Kind.TOO_LARGE)
                    && outcome.id() == null;
            if (answeredWithoutId) {
                if (got.size() != 1 || got.get(0).path("error").path("code").asInt() != outcome.code()) {
                    failures.add(message, "answers without id: " + got);
                }
            } else if (!got.isEmpty()) {
                failures.add(message, "unexpected answers without id: " + got);
            }
            if (outcome.id() != null) {
                expected.put(outcome.id(), new Awaited(message.family(), message.describe(), outcome));
            }
        }

        /**
         * Sends a ping and waits for its answer: the server reads one line at a time and answers what it cannot
         * dispatch before it reads the next, so every answer without id to what went before has come by then.
         */
        private void sync(@Nullable Hostile after) throws IOException, InterruptedException {
            String key = "\"mark-" + marks++ + "\"";
            send(("{\"jsonrpc\":\"2.0\",\"id\":" + key + ",\"method\":\"ping\"}").getBytes(StandardCharsets.UTF_8));
            if (await(key, DEADLINE) == null) {
                throw new AssertionError("no answer to a ping within " + DEADLINE + (after == null
                        ? ""
                        : " after " + after.describe()) + "; " + state());
            }
        }

        /** Waits for the answer to a request sent before, then checks that it is the one answer with that id. */
        void expect(String key, @Nullable Outcome outcome, Failures failures) throws InterruptedException {
            List<JsonNode> got = await(key, DEADLINE);
            if (got == null || got.size() != 1 || outcome != null && !matches(got.get(0), outcome)) {
                failures.byId(key, outcome, "got " + got);
            }
        }

        private synchronized @Nullable List<JsonNode> await(String key, Duration timeout)
                throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            List<JsonNode> got;
            while ((got = answers.get(key)) == null && System.nanoTime() < deadline) {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            return got;
        }

        /** Sends a request and returns its answer. */
        JsonNode call(String request) throws IOException, InterruptedException {
            send(request.getBytes(StandardCharsets.UTF_8));
            String key = LENIENT.readTree(request).get("id").toString();
            List<JsonNode> got = await(key, DEADLINE);
            assertThat(got).as("the answer to " + request).isNotNull().hasSize(1);
            return got.get(0);
        }

        /** Waits until the fixture counts a cancelled {@code code_slow}. */
        void awaitCancelled() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            for (int n = 0; System.nanoTime() < deadline; n++) {
                JsonNode r = call("{\"jsonrpc\":\"2.0\",\"id\":\"count-" + n + "\",\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"code_cancelled\"}}");
                if (r.path("result").path("content").path(0).path("text").asString().equals("1")) {
                    return;
                }
            }
            throw new AssertionError("code_slow was not cancelled within " + DEADLINE);
        }

        /** Waits for every awaited answer, then checks each and that nothing else was answered. */
        void verifyAnswers(Failures failures) throws IOException, InterruptedException {
            sync(null);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            for (Map.Entry<String, Awaited> e : expected.entrySet()) {
                List<JsonNode> got = await(e.getKey(), Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                if (got == null || got.size() != 1 || !matches(got.get(0), e.getValue().outcome())) {
                    failures.add(e.getValue().family(), e.getValue().description(), "answers with its id: " + got);
                }
            }
            for (String key : answers.keySet()) {
                if (!expected.containsKey(key) && !key.startsWith("\"mark-") && !key.startsWith("\"count-") && !key
                        .equals("\"dup\"") && !key.equals("\"init\"")) {
                    failures.byId(key, null, "an answer to a message that must get none: " + answers.get(key));
                }
            }
            if (!garbage.isEmpty() || !arrays.isEmpty()) {
                failures.byId("stdout", null, "lines that are no answer: " + garbage + arrays);
            }
        }

        /** {@return whether the child lives or how it ended, with what it wrote that was no JSON-RPC} */
        private String state() throws IOException {
            String stderr = Files.readString(log, StandardCharsets.UTF_8);
            return (child.isAlive() ? "alive" : "exited with " + child.exitValue() + " (3: out of memory)")
                    + "; stdout that is no answer: " + garbage + "; the end of stderr: " + clip(stderr.substring(Math
                            .max(0, stderr.length() - 300)));
        }

        /**
         * Checks every answer, that the child is alive and still answers within the deadline, and that it wrote nothing
         * on stderr about running out of memory or stack, or an exception that no handler caught.
         */
        void finish(Failures failures) throws IOException, InterruptedException {
            verifyAnswers(failures);
            assertThat(child.isAlive()).as("the server is alive").isTrue();
            JsonNode tools = call("{\"jsonrpc\":\"2.0\",\"id\":\"last\",\"method\":\"tools/list\"}");
            assertThat(tools.path("result").path("tools").size()).as("tools/list at the end").isGreaterThan(10);
            assertThat(Files.readString(log, StandardCharsets.UTF_8)).as("the server's stderr").doesNotContain(
                    "OutOfMemoryError", "StackOverflowError", "Exception in thread");
        }

        @Override
        public void close() throws IOException {
            in.close();
            try {
                if (!child.waitFor(5, TimeUnit.SECONDS)) {
                    child.destroy();
                }
                reader.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ Streamable HTTP

    @Test
    void http_answersEveryHostileMessageWithTheSpecStatus_andLeavesNoSession() throws Exception {
        McpServer server = ConformanceServer.build();
        try (McpHttpServer http = server.startHttp(McpHttpServer.Options.loopback(0))) {
            Http h = new Http(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), http.endpoint());
            Session session = h.initialize("2025-11-25");
            Session old = h.initialize("2025-03-26");
            int baseline = http.sessionCount();
            assertThat(server.sessionCount()).isEqualTo(baseline);

            Failures failures = new Failures();
            int workers = 4;
            List<Thread> threads = IntStream.range(0, workers).mapToObj(w -> Thread.ofVirtual().name("fuzz-http-" + w)
                    .start(() -> {
                        for (int i = w; i < COUNT + BATCHES; i += workers) {
                            Hostile message = i < COUNT ? MESSAGES.get(i) : MESSAGES.batch(i - COUNT);
                            try {
                                h.check(message, i < COUNT ? session : old, failures);
                            } catch (IOException | RuntimeException e) {
                                failures.add(message, "the exchange failed: " + e);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    })).toList();
            for (Thread t : threads) {
                t.join();
            }
            h.transport(session, failures);
            h.duplicate(session, failures);

            // the server still answers, within the deadline, and holds no session the fuzz opened
            HttpResponse<String> tools = h.post("{\"jsonrpc\":\"2.0\",\"id\":\"last\",\"method\":\"tools/list\"}"
                    .getBytes(StandardCharsets.UTF_8), session.headers());
            assertThat(tools.statusCode()).isEqualTo(200);
            assertThat(LENIENT.readTree(tools.body()).path("result").path("tools").size()).isGreaterThan(10);
            if (http.sessionCount() != baseline || server.sessionCount() != baseline) {
                failures.add("sessions", "sessions left open, expecting " + baseline, http.sessionCount()
                        + " on the transport, " + server.sessionCount() + " on the server");
            }
            failures.assertNone(Path.of("target/mcp-fuzz-http-failures.txt").toAbsolutePath());
        }
    }

    /** A session over HTTP: its id, and the revision it speaks. */
    private record Session(String id, String revision) {
        Map<String, String> headers() {
            return Map.of("Mcp-Session-Id", id, "MCP-Protocol-Version", revision);
        }
    }

    /** Streamable HTTP exchanges with the server. */
    private record Http(HttpClient client, URI endpoint) {
        /**
         * @return a new session at {@code revision}, its handshake finished with {@code notifications/initialized}
         *         (a session whose client never comes back after {@code initialize} expires within seconds)
         */
        Session initialize(String revision) throws IOException, InterruptedException {
            HttpResponse<String> init = post(McpFuzzTest.initialize(revision).getBytes(StandardCharsets.UTF_8), Map
                    .of());
            assertThat(init.statusCode()).isEqualTo(200);
            assertThat(LENIENT.readTree(init.body()).path("result").path("protocolVersion").asString()).isEqualTo(
                    revision);
            Session session = new Session(init.headers().firstValue("Mcp-Session-Id").orElseThrow(), revision);
            assertThat(post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(
                    StandardCharsets.UTF_8), session.headers()).statusCode()).isEqualTo(202);
            return session;
        }

        HttpResponse<String> post(byte[] body, Map<String, String> headers) throws IOException,
                InterruptedException {
            HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(DEADLINE).header("Content-Type",
                    "application/json").header("Accept", "application/json, text/event-stream").POST(
                            HttpRequest.BodyPublishers.ofByteArray(body));
            headers.forEach(b::header);
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        void check(Hostile message, Session session, Failures failures) throws IOException, InterruptedException {
            Outcome outcome = message.outcome();
            int status;
            String body;
            if (message.bytes().length > HostileMessages.LIMIT) {
                Raw raw = Raw.post(endpoint, message.bytes(), session);
                status = raw.status();
                body = raw.body();
            } else {
                HttpResponse<String> r = post(message.bytes(), session.headers());
                status = r.statusCode();
                body = r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")
                        ? lastData(r.body())
                        : r.body();
            }
            if (status != outcome.status()) {
                failures.add(message, "HTTP " + status + " " + clip(body));
                return;
            }
            if (outcome.status() == 202) {
                if (!body.isEmpty()) {
                    failures.add(message, "a body with 202: " + clip(body));
                }
                return;
            }
            JsonNode answer;
            try {
                answer = LENIENT.readTree(body);
            } catch (RuntimeException e) {
                failures.add(message, "HTTP " + status + " with a body that is no JSON: " + clip(body));
                return;
            }
            if (outcome.kind() == Kind.BATCH ? !batchMatches(answer, outcome) : !matches(answer, outcome)) {
                failures.add(message, "HTTP " + status + " " + clip(body));
            }
        }

        /**
         * What only HTTP carries: missing and unknown sessions, wrong headers and methods, initializes that fail (each a
         * few times, so that a leaked session shows in the count), bodies over the limit announced or streamed, and
         * requests that are no HTTP. Each gets its status, and the server keeps serving.
         */
        void transport(Session session, Failures failures) throws IOException, InterruptedException {
            String ping = "{\"jsonrpc\":\"2.0\",\"id\":\"t\",\"method\":\"ping\"}";
            String id = session.id();
            expect("POST without a session", 400, send("POST", ping, Map.of()), failures);
            expect("POST to an unknown session", 404, send("POST", ping, Map.of("Mcp-Session-Id", "nope")), failures);
            expect("POST with an unknown revision", 400, send("POST", ping, Map.of("Mcp-Session-Id", id,
                    "MCP-Protocol-Version", "1999-01-01")), failures);
            expect("POST of text/plain", 415, send("POST", ping, Map.of("Mcp-Session-Id", id, "Content-Type",
                    "text/plain")), failures);
            expect("POST accepting only text/html", 406, send("POST", ping, Map.of("Mcp-Session-Id", id, "Accept",
                    "text/html")), failures);
            expect("POST from a foreign origin", 403, send("POST", ping, Map.of("Mcp-Session-Id", id, "Origin",
                    "http://evil.example")), failures);
            expect("GET accepting no event stream", 406, send("GET", null, Map.of("Mcp-Session-Id", id, "Accept",
                    "application/json")), failures);
            expect("GET without a session", 400, send("GET", null, Map.of("Accept", "text/event-stream")), failures);
            for (String last : List.of("junk", "s999999.1", "s1.-5", "s1.99999999999999999999")) {
                expect("GET resuming " + last, 404, send("GET", null, Map.of("Mcp-Session-Id", id, "Accept",
                        "text/event-stream", "Last-Event-ID", last)), failures);
            }
            expect("DELETE of an unknown session", 404, send("DELETE", null, Map.of("Mcp-Session-Id", "nope")),
                    failures);
            expect("DELETE without a session", 400, send("DELETE", null, Map.of()), failures);
            expect("PUT", 405, send("PUT", ping, Map.of("Mcp-Session-Id", id)), failures);
            for (int i = 0; i < 20; i++) {
                expect("initialize without params", 200, send("POST",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}", Map.of()), failures);
                expect("initialize with params \"x\"", 200, send("POST",
                        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":\"x\"}", Map.of()),
                        failures);
                expect("initialize as a notification", 400, send("POST", McpFuzzTest.initialize("2025-11-25")
                        .replace("\"id\":\"init\",", ""), Map.of()), failures);
                expect("initialize with a null id", 400, send("POST", McpFuzzTest.initialize("2025-11-25").replace(
                        "\"init\"", "null"), Map.of()), failures);
                expect("initialize in a batch", 400, send("POST", "[" + McpFuzzTest.initialize("2025-03-26") + "]",
                        Map.of()), failures);
            }
            expect("POST announcing 10 MB and sending none", 413, Raw.send(endpoint, Raw.head(endpoint,
                    "Mcp-Session-Id: " + id + "\r\nContent-Length: " + (10 * 1024 * 1024 + 1)), new byte[0]), failures);
            byte[] chunk = ("100000\r\n" + "c".repeat(0x100000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream five = new ByteArrayOutputStream();
            for (int i = 0; i < 5; i++) {
                five.writeBytes(chunk); // 5 MB streamed without a length, the end withheld
            }
            expect("POST streaming 5 MB without a length", 413, Raw.send(endpoint, Raw.head(endpoint,
                    "Mcp-Session-Id: " + id + "\r\nTransfer-Encoding: chunked"), five.toByteArray()), failures);
            expect("no HTTP", 400, Raw.send(endpoint, "\u0000\u00ff GARBAGE\r\n\r\n", new byte[0]), failures);
            expect("Content-Length that is no number", 400, Raw.send(endpoint, Raw.head(endpoint,
                    "Content-Length: lots"), new byte[0]), failures);
            expect("Host of another site", 403, Raw.send(endpoint, Raw.head(endpoint, "Content-Length: 2").replace(
                    "Host: 127.0.0.1", "Host: evil.example"), "{}".getBytes(StandardCharsets.US_ASCII)), failures);
        }

        /** Sends a request with the usual headers, {@code headers} replacing or adding to them. */
        private Raw send(String method, @Nullable String body, Map<String, String> headers) throws IOException,
                InterruptedException {
            Map<String, String> all = new LinkedHashMap<>(Map.of("Content-Type", "application/json", "Accept",
                    "application/json, text/event-stream"));
            all.putAll(headers);
            HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(DEADLINE).method(method, body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            all.forEach(b::header);
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.headers().firstValue("Mcp-Session-Id").isPresent()) {
                return new Raw(-2, "a session was opened: " + r.body()); // no failure may open one
            }
            return new Raw(r.statusCode(), r.body());
        }

        private static void expect(String what, int status, Raw got, Failures failures) {
            if (got.status() != status) {
                failures.add("HTTP", what + " expecting " + status, "HTTP " + got.status() + " " + got.body());
            }
        }

        /**
         * A second request with the id of one still running is refused (200 with -32600, for it is a request); the
         * first, cancelled, ends without an answer. The first reports progress on its SSE stream, which tells that it
         * runs.
         */
        void duplicate(Session session, Failures failures) throws IOException, InterruptedException {
            HttpRequest.Builder slow = HttpRequest.newBuilder(endpoint).timeout(DEADLINE).header("Content-Type",
                    "application/json")
                    .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"jsonrpc\":\"2.0\",\"id\":\"dup\",\"method\":\"tools/call\",\"params\":{\"name\":"
                                    + "\"code_slow\",\"_meta\":{\"progressToken\":\"p\"}}}"));
            session.headers().forEach(slow::header);
            HttpResponse<Stream<String>> stream = client.send(slow.build(), HttpResponse.BodyHandlers
                    .ofLines());
            Iterator<String> lines = stream.body().iterator();
            List<String> events = new ArrayList<>();
            while (lines.hasNext() && events.stream().noneMatch(e -> e.contains("notifications/progress"))) {
                events.add(lines.next());
            }
            HttpResponse<String> again = post("{\"jsonrpc\":\"2.0\",\"id\":\"dup\",\"method\":\"ping\"}".getBytes(
                    StandardCharsets.UTF_8), session.headers());
            JsonNode refused = LENIENT.readTree(again.body());
            if (again.statusCode() != 200 || !matches(refused, new Outcome(Kind.ERROR, -32600, "\"dup\"", 200))) {
                failures.add("HTTP", "a request with the id of one running", "HTTP " + again.statusCode() + " "
                        + again.body());
            }
            HttpResponse<String> cancel = post(("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\","
                    + "\"params\":{\"requestId\":\"dup\"}}").getBytes(StandardCharsets.UTF_8), session.headers());
            if (cancel.statusCode() != 202) {
                failures.add("HTTP", "cancelling", "HTTP " + cancel.statusCode());
            }
            lines.forEachRemaining(events::add); // the stream ends with the cancelled call
            if (events.stream().anyMatch(e -> e.contains("\"result\"") || e.contains("\"error\""))) {
                failures.add("HTTP", "the cancelled call's stream", "an answer: " + events);
            }
        }

        private static String lastData(String sse) {
            String data = "";
            for (String line : sse.split("\n")) {
                if (line.startsWith("data:") && line.length() > 6) {
                    data = line.substring(5).strip();
                }
            }
            return data;
        }
    }

    /** One HTTP/1.1 exchange on a socket of its own: for what a client library would not send as it is. */
    private record Raw(int status, String body) {
        /** POSTs {@code body} whole, announced by its {@code Content-Length}. */
        static Raw post(URI endpoint, byte[] body, Session session) throws IOException, InterruptedException {
            return send(endpoint, head(endpoint, "Mcp-Session-Id: " + session.id() + "\r\nContent-Length: "
                    + body.length), body);
        }

        /** {@return the head of a POST to the endpoint with these headers besides the usual ones} */
        static String head(URI endpoint, String headers) {
            return "POST " + endpoint.getRawPath() + " HTTP/1.1\r\nHost: 127.0.0.1:" + endpoint.getPort()
                    + "\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                    + headers + "\r\nConnection: close\r\n\r\n";
        }

        /**
         * Writes {@code head} and {@code body} on one thread while reading the response on this one: the server may
         * answer before it has read them all, or without reading them at all.
         *
         * @return the response; status -1 when the server closed the connection without one, -3 when none came
         *         within the deadline
         */
        static Raw send(URI endpoint, String head, byte[] body) throws IOException, InterruptedException {
            try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
                socket.setSoTimeout((int) DEADLINE.toMillis());
                OutputStream out = socket.getOutputStream();
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
                        out.write(body);
                        out.flush();
                    } catch (IOException e) {
                        // the server refused the rest
                    }
                });
                try {
                    return read(socket.getInputStream());
                } catch (SocketTimeoutException e) {
                    return new Raw(-3, "no response within " + DEADLINE);
                } catch (IOException e) {
                    return new Raw(-1, e.toString());
                } finally {
                    writer.join(DEADLINE);
                }
            }
        }

        static Raw read(InputStream in) throws IOException {
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            int status = Integer.parseInt(parts[1]);
            long length = -1;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                if (header.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(header.substring(15).strip());
                }
            }
            byte[] bytes = length >= 0 ? in.readNBytes((int) length) : in.readAllBytes();
            return new Raw(status, new String(bytes, StandardCharsets.UTF_8));
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("the connection ended in the response's head");
                }
                if (c != '\r') {
                    line.write(c);
                }
            }
            return line.toString(StandardCharsets.US_ASCII);
        }
    }

    // ------------------------------------------------------------------ outcomes

    /** {@return whether {@code answer} is the outcome: its kind, its error code, and its id or none} */
    private static boolean matches(JsonNode answer, Outcome outcome) {
        JsonNode id = answer.get("id");
        if (outcome.id() == null ? id != null : id == null || !id.toString().equals(outcome.id())) {
            return false;
        }
        return switch (outcome.kind()) {
            case RESULT -> answer.has("result") && !answer.has("error");
            case ERROR, TOO_LARGE -> answer.path("error").path("code").asInt() == outcome.code() && !answer.has(
                    "result");
            case SILENCE, BATCH -> false;
        };
    }

    /** {@return whether {@code array} holds the batch's answers, each once, in any order, and nothing else} */
    private static boolean batchMatches(@Nullable JsonNode array, Outcome batch) {
        if (array == null || !array.isArray() || array.size() != batch.answers().size()) {
            return false;
        }
        List<JsonNode> left = new ArrayList<>(array.valueStream().toList());
        for (Outcome answer : batch.answers()) {
            int at = IntStream.range(0, left.size()).filter(i -> matches(left.get(i), answer)).findFirst().orElse(-1);
            if (at < 0) {
                return false;
            }
            left.remove(at);
        }
        return true;
    }

    /** {@return the start of {@code text}, with what is not printable ASCII escaped} */
    private static String clip(String text) {
        return HostileMessages.printable(text, 300);
    }

    /** What went wrong, kept to report all at once. */
    private static final class Failures {
        private final List<String> all = new CopyOnWriteArrayList<>();
        private final Map<String, Integer> byCategory = new ConcurrentHashMap<>();

        void add(Hostile message, String what) {
            add(message.family(), message.describe(), what);
        }

        void add(String family, String description, String what) {
            byCategory.merge(family, 1, Integer::sum);
            all.add(description + "\n    → " + clip(what));
        }

        void byId(String id, @Nullable Outcome outcome, String what) {
            all.add("id " + clip(id) + (outcome == null ? "" : " expecting " + outcome) + "\n    → " + clip(what));
        }

        /** Fails when anything went wrong, with the first failures; all of them go to {@code report}. */
        void assertNone(Path report) throws IOException {
            if (!all.isEmpty()) {
                Files.writeString(report, String.join("\n", all) + "\n", StandardCharsets.UTF_8);
            }
            assertThat(all).as("%d messages got another outcome than the spec's (by category: %s; all in %s); the "
                    + "first ones:%n%s", all.size(), byCategory, report,
                    String.join("\n", all.subList(0, Math.min(all
                            .size(), 40))))
                    .isEmpty();
        }
    }
}
