package org.codeengine.plugin.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.CodeException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.plugin.mcp.internal.Json;
import org.codeengine.plugin.mcp.internal.LineReader;
import org.codeengine.plugin.mcp.internal.Peer;
import org.codeengine.plugin.mcp.internal.Protocol;
import org.codeengine.plugin.support.LineStream;
import org.codeengine.plugin.support.SseReader;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The client's transports: each is the peer's outbound sink and feeds what arrives into the peer. */
final class ClientTransports {
    private ClientTransports() {}

    /** A transport the client can close. */
    interface Transport extends Peer.Sink, AutoCloseable {
        void bind(Peer peer);

        /** @param version the negotiated revision, sent in {@code MCP-Protocol-Version} from now on */
        default void negotiated(String version) {}

        /**
         * {@return whether the client asks {@code server/discover} before {@code initialize}: over HTTP a server of
         *         the handshake revisions refuses it plainly, while a stdio server may not answer a request before
         *         {@code initialize} at all}
         */
        default boolean discovers() {
            return false;
        }

        /** {@return what mirrors a request into HTTP headers, or null where the transport has no headers} */
        default @Nullable RequestHeaders headers() {
            return null;
        }

        @Override
        void close();
    }

    /** Streamable HTTP: each message is a POST; answers come as JSON or an SSE stream, resumed after a break. */
    static final class Http implements Transport {
        private static final int RESUMES = 5;
        private final URI endpoint;
        private final HttpClient http;
        private final @Nullable OAuthFlow oauth;
        private final @Nullable Secret bearer;
        private final Duration idle;
        private final RequestHeaders headers = new RequestHeaders();
        private volatile @Nullable Peer peer;
        private volatile @Nullable String sessionId;
        private volatile @Nullable String version;
        private volatile boolean closed;

        /** @param bearer a fixed credential sent on every request, or null; never with {@code oauth} */
        Http(URI endpoint, @Nullable McpOAuth oauth, @Nullable Secret bearer, Duration idle) {
            this.endpoint = endpoint;
            this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).executor(Executors
                    .newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(10)).build();
            this.oauth = oauth == null ? null : new OAuthFlow(oauth, http);
            this.bearer = bearer;
            this.idle = idle;
        }

        @Override
        public void bind(Peer bound) {
            this.peer = bound;
        }

        @Override
        public boolean discovers() {
            return true;
        }

        @Override
        public RequestHeaders headers() {
            return headers;
        }

        @Override
        public void negotiated(String negotiated) {
            this.version = negotiated;
            if (sessionId != null) {
                Thread.ofVirtual().name("mcp-client-listen").start(this::listen);
            }
        }

        /**
         * Keeps the optional GET stream open, on which the server sends what belongs to no request; reconnects after
         * a break with {@code Last-Event-ID}; stops when the server offers none (405) or the client closes.
         */
        private void listen() {
            String lastId = null;
            for (int failures = 0; !closed && failures < RESUMES;) {
                HttpRequest.Builder b = request("GET").header("Accept", "text/event-stream");
                if (lastId != null) {
                    b.header("Last-Event-ID", lastId);
                }
                long retry = -1;
                try {
                    HttpResponse<InputStream> r = http.send(b.GET().build(), HttpResponse.BodyHandlers
                            .ofInputStream());
                    if (r.statusCode() != 200) {
                        r.body().close();
                        return;
                    }
                    try (SseReader reader = new SseReader(new LineStream(r.body(), idle, "mcp"))) {
                        read(reader, null);
                        lastId = reader.lastEventId();
                        retry = reader.retryMillis();
                    }
                    failures = 0;
                } catch (CodeException | IOException e) {
                    failures++;
                } catch (InterruptedException e) {
                    return;
                }
                if (closed) {
                    return;
                }
                try {
                    Thread.sleep(retry >= 0 ? retry : 1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void message(ObjectNode message) {
            JsonNode id = message.has("method") ? message.get("id") : null;
            if (id != null) {
                Thread.ofVirtual().name("mcp-client-post").start(() -> deliver(message, id));
            } else {
                deliver(message, null);
            }
        }

        @Override
        public void answer(@Nullable ObjectNode response) {
            if (response != null) {
                deliver(response, null);
            }
        }

        private void deliver(ObjectNode message, @Nullable JsonNode id) {
            try {
                post(message, id);
            } catch (CodeException e) {
                fail(id, e);
            } catch (IOException e) {
                fail(id, new UnavailableException("the MCP server cannot be reached: " + e.getClass()
                        .getSimpleName(), null, e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(id, new UnavailableException("sending to the MCP server was interrupted", null, e));
            }
        }

        private void fail(@Nullable JsonNode id, RuntimeException why) {
            Peer p = peer;
            if (id != null && p != null) {
                p.fail(id, why);
            }
        }

        /** @param method the HTTP method the request will use (a DPoP proof names it) */
        private HttpRequest.Builder request(String method) {
            return request(oauth == null ? null : oauth.token().orElse(null), null, method);
        }

        /**
         * @param token the bearer token to send, or null
         * @param message the message the request carries, or null: on the stateless revision its method and name
         *        go in the {@code Mcp-Method} and {@code Mcp-Name} headers, its version in
         *        {@code MCP-Protocol-Version}
         */
        private HttpRequest.Builder request(@Nullable Secret token, @Nullable ObjectNode message, String method) {
            HttpRequest.Builder b = HttpRequest.newBuilder(endpoint);
            String session = sessionId;
            if (session != null) {
                b.header("Mcp-Session-Id", session);
            }
            String v = version;
            String asked = message == null
                    ? null
                    : Json.text(message.path("params").path("_meta"),
                            Protocol.META_VERSION);
            if (asked != null) {
                v = asked;
            }
            if (v != null) {
                b.header("MCP-Protocol-Version", v);
            }
            if (message != null && Protocol.STATELESS.equals(v)) {
                headers.of(message).forEach(b::header);
            }
            OAuthFlow flow = oauth;
            if (token != null && flow != null) {
                flow.present(token, method, endpoint).forEach(b::header);
            } else if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer.reveal());
            }
            return b;
        }

        private void post(ObjectNode message, @Nullable JsonNode id) throws IOException, InterruptedException {
            byte[] body = Json.bytes(message);
            HttpResponse<InputStream> r = null;
            for (int attempt = 0; attempt < 4; attempt++) { // the first try and at most three authorizations
                Secret token = oauth == null ? null : oauth.token().orElse(null);
                r = http.send(request(token, message, "POST").header("Content-Type", "application/json")
                        .header("Accept",
                                "application/json, text/event-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(), HttpResponse.BodyHandlers.ofInputStream());
                if ((r.statusCode() == 401 || r.statusCode() == 403) && oauth != null && attempt < 3) {
                    r.body().close();
                    String challenge = r.headers().firstValue("WWW-Authenticate").orElse(null);
                    if (r.statusCode() == 401 && oauth.nonceChallenge(endpoint, challenge, r.headers().firstValue(
                            "DPoP-Nonce").orElse(null))) {
                        continue; // the same token, a proof with the server's nonce
                    }
                    oauth.authorize(endpoint, r.statusCode(), challenge, token);
                    continue;
                }
                break;
            }
            r.headers().firstValue("Mcp-Session-Id").ifPresent(s -> sessionId = s);
            int status = r.statusCode();
            String type = r.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
            try (InputStream in = r.body()) {
                if (status == 202 || status == 204) {
                    return;
                }
                if (status == 404 && sessionId != null) {
                    throw new UnavailableException("the MCP session ended (404): connect again", null, null);
                }
                if ((status == 401 || status == 403) && bearer != null) {
                    throw new AuthenticationException("the MCP server refused the bearer token (HTTP " + status
                            + (status == 403 ? ": it lacks a permission or scope the request needs" : "") + ")", null);
                }
                if (status / 100 != 2) {
                    if (id == null || !type.startsWith("application/json") || !errorAnswer(in, id)) {
                        throw new UnavailableException("the MCP server answered HTTP " + status, null, null);
                    }
                    return;
                }
                if (type.startsWith("text/event-stream")) {
                    stream(in, id);
                } else {
                    byte[] bytes = in.readNBytes(Json.MAX_MESSAGE + 1);
                    if (bytes.length > 0) {
                        Peer p = peer;
                        if (p != null) {
                            p.receive(bytes, this);
                        }
                    }
                }
            }
        }

        /**
         * Takes a JSON-RPC error that came with an HTTP error status as the answer to request {@code id} (a server
         * that could not read the id answers with none).
         *
         * @return whether the body was such an error
         */
        private boolean errorAnswer(InputStream in, JsonNode id) throws IOException {
            JsonNode answer;
            try {
                answer = Json.parse(Json.JSON, in.readNBytes(Json.MAX_MESSAGE + 1));
            } catch (McpException e) {
                return false;
            }
            if (!answer.isObject() || !answer.path("error").isObject() || answer.has("method")) {
                return false;
            }
            JsonNode answered = answer.get("id");
            if (answered != null && !answered.isNull() && !Json.sameId(id, answered)) {
                return false;
            }
            ((ObjectNode) answer).set("id", id);
            Peer p = peer;
            if (p != null) {
                p.receive(answer, this);
            }
            return true;
        }

        /** Reads an SSE stream until it ends; when it ends before the answer to {@code id}, resumes it with GET. */
        private void stream(InputStream in, @Nullable JsonNode id) throws IOException, InterruptedException {
            InputStream current = in;
            for (int resumes = 0;; resumes++) {
                String lastId;
                long retry;
                boolean answered;
                try (SseReader reader = new SseReader(new LineStream(current, idle, "mcp"))) {
                    answered = read(reader, id);
                    lastId = reader.lastEventId();
                    retry = reader.retryMillis();
                }
                if (answered || id == null || closed) {
                    return;
                }
                if (lastId == null || resumes >= RESUMES) {
                    throw new UnavailableException("the MCP server ended the stream without an answer", null, null);
                }
                Thread.sleep(retry >= 0 ? retry : 1000);
                HttpResponse<InputStream> r = http.send(request("GET").header("Accept", "text/event-stream").header(
                        "Last-Event-ID", lastId).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
                if (r.statusCode() != 200) {
                    r.body().close();
                    throw new UnavailableException("resuming the stream failed with HTTP " + r.statusCode(), null,
                            null);
                }
                current = r.body();
            }
        }

        /** {@return whether the answer to {@code id} came} */
        private boolean read(SseReader reader, @Nullable JsonNode id) {
            for (SseReader.Event e = reader.next(); e != null; e = reader.next()) {
                if (e.data().isBlank()) {
                    continue;
                }
                JsonNode message;
                try {
                    message = Json.parse(e.data());
                } catch (McpException bad) {
                    continue;
                }
                Peer p = peer;
                if (p != null) {
                    p.receive(message, this);
                }
                if (Json.sameId(id, message.get("id")) && !message.has("method")) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            String session = sessionId;
            if (session != null) {
                try {
                    http.send(request("DELETE").DELETE().timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers
                                    .discarding());
                } catch (IOException e) {
                    // the server is gone; nothing to end
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            http.shutdownNow(); // close() would wait for the GET stream, which the server may hold open
        }
    }

    /** stdio: a child process; one message per line on its stdin and stdout, its stderr passed through. */
    static final class Stdio implements Transport {
        private final Process process;
        private final OutputStream stdin;
        private volatile @Nullable Peer peer;

        Stdio(List<String> command) {
            try {
                this.process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            } catch (IOException e) {
                throw new UnavailableException("cannot start the MCP server " + command.get(0), null, e);
            }
            this.stdin = process.getOutputStream();
        }

        @Override
        public void bind(Peer bound) {
            this.peer = bound;
            Thread.ofVirtual().name("mcp-stdio-reader").start(this::read);
        }

        private void read() {
            try (LineReader lines = new LineReader(process.getInputStream(), Json.MAX_MESSAGE)) {
                for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                    Peer p = peer;
                    if (p != null && !line.tooLong() && !line.blank()) {
                        p.receive(line.bytes(), this);
                    }
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                Peer p = peer;
                if (p != null) {
                    p.close();
                }
            }
        }

        @Override
        public void message(ObjectNode message) {
            byte[] bytes = Json.bytes(message);
            synchronized (this) {
                try {
                    stdin.write(bytes);
                    stdin.write('\n');
                    stdin.flush();
                } catch (IOException e) {
                    throw new UnavailableException("the MCP server process is gone", null, e);
                }
            }
        }

        @Override
        public void answer(@Nullable ObjectNode response) {
            if (response != null) {
                message(response);
            }
        }

        @Override
        public void close() {
            try {
                stdin.close();
            } catch (IOException e) {
                // already gone
            }
            try {
                if (!process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroy();
                    if (!process.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
