package org.codeengine.plugin.mcp;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.codeengine.api.CodeException;
import org.codeengine.api.Secret;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Principal;
import org.codeengine.plugin.mcp.McpHttpServer.Authorization;
import org.codeengine.plugin.mcp.McpHttpServer.Options;
import org.codeengine.plugin.mcp.internal.Json;
import org.codeengine.plugin.mcp.internal.Peer;
import org.codeengine.plugin.mcp.internal.Protocol;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Streamable HTTP, whatever server carries it: routing, Host and Origin checks, bearer authorization, sessions, and
 * the POST, GET and DELETE exchanges with their JSON answers and resumable SSE streams. {@link McpHttpServer} drives it
 * from the JDK's HttpServer and {@link McpServlet} from a servlet container, each through an {@link Exchange}. A
 * handler thread blocks in {@link #handle} for as long as its response streams; both servers give each exchange a
 * virtual thread for that, and a POST's single request is handled on that thread too (no hand-off, so a JSON answer
 * costs no wake-up of another thread; a cancel interrupts it there).
 */
final class StreamableHttp {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final int EVENTS_KEPT = 1_000;
    private static final int STREAMS_KEPT = 64;
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    private final McpServer server;
    private final Options options;
    private final @Nullable String endpointPath;
    private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong streamIds = new AtomicLong();

    /**
     * @param endpointPath the one path that is the MCP endpoint, or null when every path but the protected-resource
     *        metadata's is (a servlet serves whatever its container maps to it)
     */
    StreamableHttp(McpServer server, Options options, @Nullable String endpointPath) {
        this.server = server;
        this.options = options;
        this.endpointPath = endpointPath;
    }

    /** {@return how many sessions are open} */
    int sessionCount() {
        return sessions.size();
    }

    /** Ends every session; their open streams end and the handlers blocked on them return. */
    void close() {
        for (HttpSession s : sessions.values()) {
            end(s);
        }
    }

    // ------------------------------------------------------------------ routing

    /**
     * Serves one exchange; blocks until its response is complete or its stream let go of it. The caller ends the
     * exchange afterwards.
     */
    void handle(Exchange ex) {
        try {
            String path = ex.path();
            if (!hostAllowed(ex)) {
                plain(ex, 403, "the Host or Origin header is not allowed");
                return;
            }
            if (options.authorization() != null && path.startsWith("/.well-known/oauth-protected-resource")) {
                metadata(ex);
                return;
            }
            if (endpointPath != null && !path.equals(endpointPath)) {
                plain(ex, 404, "not found");
                return;
            }
            Caller caller = null;
            if (options.authorization() != null) {
                caller = authenticate(ex);
                if (caller == null) {
                    return;
                }
            }
            Principal principal = caller == null ? null : caller.principal();
            switch (ex.method()) {
                case "POST" -> post(ex, caller);
                case "GET" -> get(ex, principal);
                case "DELETE" -> delete(ex, principal);
                default -> {
                    ex.responseHeader("Allow", "GET, POST, DELETE");
                    plain(ex, 405, "method not allowed");
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away
        }
    }

    private boolean hostAllowed(Exchange ex) {
        String host = ex.requestHeader("Host");
        if (host == null || !allowed(hostName(host))) {
            return false;
        }
        String origin = ex.requestHeader("Origin");
        if (origin == null) {
            return true;
        }
        try {
            URI uri = URI.create(origin.strip());
            return uri.getHost() != null && allowed(uri.getHost().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean allowed(String host) {
        return LOOPBACK.contains(host) || options.allowedHosts().contains(host);
    }

    private static String hostName(String hostHeader) {
        String h = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    // ------------------------------------------------------------------ authorization

    private String metadataUrl() {
        URI resource = options.authorization().resource();
        String path = resource.getRawPath() == null || resource.getRawPath().equals("/") ? "" : resource.getRawPath();
        return resource.getScheme() + "://" + resource.getRawAuthority() + "/.well-known/oauth-protected-resource"
                + path;
    }

    private void metadata(Exchange ex) throws IOException {
        Authorization auth = options.authorization();
        ObjectNode body = Json.object().put("resource", auth.resource().toString());
        ArrayNode servers = body.putArray("authorization_servers");
        auth.authorizationServers().forEach(s -> servers.add(s.toString()));
        if (!auth.scopes().isEmpty()) {
            ArrayNode scopes = body.putArray("scopes_supported");
            auth.scopes().forEach(scopes::add);
        }
        body.putArray("bearer_methods_supported").add("header");
        json(ex, 200, body);
    }

    /** An authenticated caller: who it is and the scopes its token grants. */
    private record Caller(Principal principal, Set<String> scopes) {}

    private String challenge() {
        Authorization auth = options.authorization();
        return "Bearer resource_metadata=\"" + metadataUrl() + "\"" + (auth.scopes().isEmpty()
                ? ""
                : ", scope=\"" + String.join(" ", auth.scopes()) + "\"");
    }

    private @Nullable Caller authenticate(Exchange ex) throws IOException {
        Authorization auth = options.authorization();
        String header = ex.requestHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            ex.responseHeader("WWW-Authenticate", challenge());
            plain(ex, 401, "authorization required");
            return null;
        }
        String token = header.substring(7).strip();
        Principal principal;
        try {
            principal = auth.security().authenticate(new Credentials.BearerToken(Secret.of(token)));
        } catch (CodeException | IllegalArgumentException e) {
            ex.responseHeader("WWW-Authenticate", challenge() + ", error=\"invalid_token\"");
            plain(ex, 401, "invalid token");
            return null;
        }
        return new Caller(principal, grantedScopes(token));
    }

    /** {@return the scopes in a (verified) JWT's {@code scope} or {@code scp} claim; none for another kind of token} */
    static Set<String> grantedScopes(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return Set.of();
        }
        JsonNode claims;
        try {
            claims = Json.parse(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | McpException e) {
            return Set.of();
        }
        Set<String> scopes = new LinkedHashSet<>();
        for (String claim : List.of("scope", "scp")) {
            JsonNode value = claims.path(claim);
            if (value.isString()) {
                scopes.addAll(List.of(value.asString().strip().split("\\s+")));
            } else if (value.isArray()) {
                value.forEach(v -> scopes.add(v.asString("")));
            }
        }
        scopes.remove("");
        return scopes;
    }

    /** {@return the scopes the message (or each message of a batch) needs} */
    private Set<String> requiredScopes(JsonNode message) {
        Set<String> needed = new LinkedHashSet<>();
        for (JsonNode each : message.isArray() ? message : List.of(message)) {
            String method = each.path("method").asString("");
            if (!method.isEmpty()) {
                JsonNode params = each.path("params");
                needed.addAll(options.authorization().scopePolicy().required(method, params.isObject()
                        ? params
                        : Json.object()));
            }
        }
        return needed;
    }

    /** Answers 403 insufficient_scope, naming the scopes held and needed (RFC 6750 §3.1, MCP scope challenges). */
    private void insufficientScope(Exchange ex, Set<String> granted, Set<String> needed) throws IOException {
        Set<String> all = new LinkedHashSet<>(granted);
        all.addAll(needed);
        ex.responseHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"" + String.join(" ",
                all) + "\", resource_metadata=\"" + metadataUrl()
                + "\", error_description=\"the request needs more scope\"");
        plain(ex, 403, "insufficient scope");
    }

    // ------------------------------------------------------------------ POST

    private void post(Exchange ex, @Nullable Caller caller) throws IOException {
        Principal principal = caller == null ? null : caller.principal();
        String accept = ex.requestHeader("Accept") == null ? "" : ex.requestHeader("Accept").toLowerCase(Locale.ROOT);
        boolean sse = accept.contains("text/event-stream");
        if (!accept.isEmpty() && !sse && !accept.contains("application/json") && !accept.contains("*/*")) {
            plain(ex, 406, "Accept must include application/json and text/event-stream");
            return;
        }
        String type = ex.requestHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            plain(ex, 415, "Content-Type must be application/json");
            return;
        }
        byte[] body = read(ex);
        if (body == null) {
            ex.responseHeader("Connection", "close"); // the rest of the body is not read
            json(ex, 413, server.tooLarge());
            return;
        }
        JsonNode message;
        try {
            message = Json.parse(server.reader(), body);
        } catch (McpException e) {
            rpcError(ex, 400, null, e.code(), e.getMessage());
            return;
        }
        ObjectNode malformed = message.isArray() ? null : Peer.malformed(message);
        if (malformed != null) {
            json(ex, 400, malformed); // no JSON-RPC message: the server cannot accept it
            return;
        }
        if (caller != null) {
            Set<String> needed = requiredScopes(message);
            if (!caller.scopes().containsAll(needed)) {
                insufficientScope(ex, caller.scopes(), needed);
                return;
            }
        }
        boolean initialize = message.has("id") && "initialize".equals(message.path("method").asString(""));
        String id = ex.requestHeader("Mcp-Session-Id");
        HttpSession session;
        if (id == null && stateless(ex, message)) {
            stateless(ex, principal, message, sse);
            return;
        }
        if (initialize && id == null) {
            String source = principal != null ? "principal " + principal.id() : "address " + ex.source();
            if (!admit(source)) {
                rpcError(ex, 503, message, -32000, "too many sessions, and every one is busy: try again later");
                return;
            }
            initialize(ex, new HttpSession(UUID.randomUUID().toString(), principal, source), message);
            return;
        }
        if (id == null) {
            rpcError(ex, 400, message, -32000, "Bad Request: Mcp-Session-Id header is required");
            return;
        }
        session = session(ex, id, principal, message);
        if (session == null || !versionAccepted(ex, message)) {
            return;
        }
        session.touch();
        Peer peer = session.session.peer();
        ObjectNode refused = message.isArray() ? peer.refused(message) : null;
        if (refused != null) {
            json(ex, 400, refused); // the revision takes one message a POST
            return;
        }
        if (!hasRequest(message)) {
            peer.receive(message, new Peer.Sink() {
                @Override
                public void message(ObjectNode m) {
                    session.outbound(m);
                }

                @Override
                public void answer(@Nullable ObjectNode response) {
                    // a batch's invalid messages: nothing is answered to a POST of notifications and responses
                }
            });
            ex.send(202, -1);
            return;
        }
        Stream stream = session.stream(ex, sse, message.isArray());
        stream.expect(peer.receive(message, stream, true));
        stream.awaitDetached();
    }

    /**
     * Answers an {@code initialize} that opens a session, with JSON. The session lives on, and its id is sent, only when
     * the answer is a result; an error closes it.
     */
    private void initialize(Exchange ex, HttpSession session, JsonNode message) throws IOException {
        CompletableFuture<@Nullable ObjectNode> answer = new CompletableFuture<>();
        session.session.peer().receive(message, new Peer.Sink() { // answered on this thread
            @Override
            public void message(ObjectNode m) {
                session.outbound(m);
            }

            @Override
            public void answer(@Nullable ObjectNode response) {
                answer.complete(response);
            }
        }, true);
        ObjectNode response = answer.join();
        if (response == null || !response.has("result")) {
            session.close();
            if (response == null) {
                rpcError(ex, 503, message, -32000, "the server is closing");
            } else {
                json(ex, 200, response);
            }
            return;
        }
        sessions.put(session.id(), session);
        ex.responseHeader("Mcp-Session-Id", session.id());
        json(ex, 200, response);
    }

    // ------------------------------------------------------------------ the stateless wire (2026-07-28)

    /**
     * {@return whether a POST without a session speaks the stateless revision: its {@code MCP-Protocol-Version} is
     *         none of the session revisions, or it carries {@code Mcp-Method} or a protocol version in its
     *         {@code _meta}}
     */
    private static boolean stateless(Exchange ex, JsonNode message) {
        String version = ex.requestHeader("MCP-Protocol-Version");
        if (version != null && !Protocol.VERSIONS.contains(version.strip())) {
            return true;
        }
        return ex.requestHeader("Mcp-Method") != null || message.path("params").path("_meta").has(
                Protocol.META_VERSION);
    }

    /**
     * Serves one request of the stateless wire: the version header must match the version in {@code _meta} and be
     * one spoken, {@code Mcp-Method}, {@code Mcp-Name} and the tool's {@code Mcp-Param-*} headers must match the body,
     * and the request runs in a session of its own that ends with its answer. Every error carries the request's id.
     */
    private void stateless(Exchange ex, @Nullable Principal principal, JsonNode message, boolean sse)
            throws IOException {
        if (message.isArray()) {
            rpcError(ex, 400, null, McpException.INVALID_REQUEST, "the stateless wire (" + Protocol.STATELESS
                    + ") takes one message a POST, no batch");
            return;
        }
        if (!message.has("id") || !message.has("method")) {
            ex.send(202, -1); // a notification or a response belongs to no request here
            return;
        }
        String header = strip(ex.requestHeader("MCP-Protocol-Version"));
        JsonNode params = message.path("params");
        JsonNode meta = params.path("_meta");
        if (header == null) {
            rpcError(ex, 400, message, McpException.HEADER_MISMATCH, "the MCP-Protocol-Version header is required");
            return;
        }
        List<String> missing = new ArrayList<>();
        if (!meta.path(Protocol.META_VERSION).isString()) {
            missing.add(Protocol.META_VERSION);
        }
        if (!meta.path(Protocol.META_CAPABILITIES).isObject()) {
            missing.add(Protocol.META_CAPABILITIES);
        }
        if (!missing.isEmpty()) {
            rpcError(ex, 400, message, McpException.INVALID_PARAMS, "params._meta must carry " + String.join(
                    " and ", missing) + " (" + Protocol.META_CAPABILITIES + " an object)");
            return;
        }
        String version = meta.path(Protocol.META_VERSION).stringValue();
        if (!version.equals(header)) {
            rpcError(ex, 400, message, McpException.HEADER_MISMATCH, "the MCP-Protocol-Version header ("
                    + Json.clip(header) + ") must match params._meta." + Protocol.META_VERSION + " ("
                    + Json.clip(version) + ")");
            return;
        }
        if (!version.equals(Protocol.STATELESS)) {
            ObjectNode data = Json.object();
            data.putArray("supported").add(Protocol.STATELESS);
            data.put("requested", version);
            rpcError(ex, 400, message, McpException.UNSUPPORTED_VERSION, "unsupported protocol version "
                    + Json.clip(version) + ": this server speaks " + Protocol.STATELESS + " without a session (older "
                    + "revisions begin with initialize)", data);
            return;
        }
        String mismatch = headerMismatch(ex, message);
        if (mismatch != null) {
            rpcError(ex, 400, message, McpException.HEADER_MISMATCH, mismatch);
            return;
        }
        HttpSession session = new HttpSession("stateless-" + UUID.randomUUID(), principal, ex.source(),
                (ObjectNode) meta);
        try {
            Stream stream = session.stream(ex, sse, false);
            stream.expect(session.session.peer().receive(message, stream, true));
            stream.awaitDetached();
        } finally {
            session.session.close(); // a handler still running after its client left is interrupted
        }
    }

    /**
     * Checks the standard headers against the body (SEP-2243): {@code Mcp-Method} must equal the method,
     * {@code Mcp-Name} the tool or prompt name, the resource URI or the task's id (SEP-2663), and each {@code Mcp-Param-<name>} header a tool
     * declares with {@code x-mcp-header} the argument's value (plain, or base64 as {@code =?base64?...?=}). Header
     * names are case-insensitive, values case-sensitive, and whitespace around a value does not count.
     *
     * @return what is wrong, or null when the headers match
     */
    private @Nullable String headerMismatch(Exchange ex, JsonNode message) {
        String method = message.path("method").asString("");
        String header = strip(ex.requestHeader("Mcp-Method"));
        if (header == null || !header.equals(method)) {
            return "the Mcp-Method header (" + (header == null ? "missing" : Json.clip(header))
                    + ") must equal the method " + Json.clip(method);
        }
        JsonNode params = message.path("params");
        String field = switch (method) {
            case "tools/call", "prompts/get" -> "name";
            case "resources/read" -> "uri";
            case "tasks/get", "tasks/update", "tasks/cancel" -> "taskId";
            default -> null;
        };
        if (field != null && params.path(field).isString()) {
            String value = params.path(field).stringValue();
            String name = strip(ex.requestHeader("Mcp-Name"));
            if (name == null || !name.equals(value)) {
                return "the Mcp-Name header (" + (name == null ? "missing" : Json.clip(name))
                        + ") must equal params." + field;
            }
        }
        if (method.equals("tools/call") && params.path("name").isString()) {
            McpTool tool = server.tool(params.path("name").stringValue());
            if (tool != null) {
                return paramHeaderMismatch(ex, tool.inputSchema(), params.path("arguments"));
            }
        }
        return null;
    }

    private static @Nullable String paramHeaderMismatch(Exchange ex, JsonNode schema, JsonNode arguments) {
        for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
            JsonNode headerName = property.getValue().get("x-mcp-header");
            JsonNode argument = arguments.get(property.getKey());
            if (headerName == null || !headerName.isString() || argument == null || argument.isNull()) {
                continue;
            }
            String name = "Mcp-Param-" + headerName.stringValue();
            String raw = strip(ex.requestHeader(name));
            if (raw == null) {
                return "the " + Json.clip(name) + " header is required: arguments." + Json.clip(property.getKey())
                        + " is set";
            }
            String value = raw;
            if (raw.startsWith("=?base64?") && raw.endsWith("?=") && raw.length() >= 11) {
                String encoded = raw.substring(9, raw.length() - 2);
                try {
                    if (encoded.length() % 4 != 0) {
                        throw new IllegalArgumentException("unpadded");
                    }
                    value = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return "the " + Json.clip(name) + " header is no valid padded base64 in =?base64?...?=";
                }
            }
            String expected = argument.isString() ? argument.stringValue() : Json.string(argument);
            if (!value.equals(expected)) {
                return "the " + Json.clip(name) + " header must equal arguments." + Json.clip(property.getKey());
            }
        }
        return null;
    }

    private static @Nullable String strip(@Nullable String header) {
        return header == null ? null : header.strip();
    }

    private boolean versionAccepted(Exchange ex, @Nullable JsonNode message) throws IOException {
        String version = ex.requestHeader("MCP-Protocol-Version");
        if (version != null && !Protocol.VERSIONS.contains(version.strip())) {
            rpcError(ex, 400, message, -32000, "Bad Request: unsupported MCP-Protocol-Version " + Json.clip(
                    version));
            return false;
        }
        return true;
    }

    /** {@return whether a message that is no invalid one gets an answer: a request, or a batch with one or with junk} */
    private static boolean hasRequest(JsonNode message) {
        if (message.isArray()) {
            for (JsonNode each : message) {
                if (Peer.malformed(each) != null || each.has("method") && each.has("id")) {
                    return true;
                }
            }
            return false;
        }
        return message.has("method") && message.has("id");
    }

    /**
     * {@return the body, or null when it is larger than the server's limit: then it was read no further than that, and
     *         not at all when its {@code Content-Length} told}
     */
    private byte @Nullable [] read(Exchange ex) throws IOException {
        int max = server.maxMessageBytes();
        String length = ex.requestHeader("Content-Length");
        try {
            if (length != null && Long.parseLong(length.strip()) > max) {
                return null;
            }
        } catch (NumberFormatException e) {
            // the server checks the header; read and count
        }
        byte[] bytes = ex.body().readNBytes(max + 1);
        return bytes.length > max ? null : bytes;
    }

    private @Nullable HttpSession session(Exchange ex, String id, @Nullable Principal principal,
            @Nullable JsonNode message) throws IOException {
        HttpSession session = sessions.get(id);
        if (session == null || session.expired()) {
            if (session != null) {
                end(session);
            }
            rpcError(ex, 404, message, -32001, "Session not found");
            return null;
        }
        Principal owner = session.session.principal();
        if (principal != null && owner != null && !owner.id().equals(principal.id())) {
            rpcError(ex, 404, message, -32001, "Session not found");
            return null;
        }
        session.established = true;
        return session;
    }

    /**
     * Makes room for a new session of {@code source}: ends the expired ones, then, where the source or the server is
     * at its limit, ends one session of the source or of any: one whose handshake never finished before others, then
     * one without an open GET stream, then the one idle longest; never one with a request running.
     *
     * @return whether there is room now
     */
    private synchronized boolean admit(String source) {
        sweep();
        List<HttpSession> own = sessions.values().stream().filter(s -> s.source.equals(source)).toList();
        if (own.size() >= options.maxSessionsPerSource() && !evictOne(own)) {
            return false;
        }
        return sessions.size() < options.maxSessions() || evictOne(sessions.values());
    }

    private boolean evictOne(Collection<HttpSession> candidates) {
        HttpSession victim = candidates.stream().filter(s -> s.session.peer().running() == 0).min(Comparator
                .comparing((HttpSession s) -> s.established).thenComparing(HttpSession::streaming).thenComparingLong(
                        s -> s.lastUsed))
                .orElse(null);
        if (victim == null) {
            return false;
        }
        end(victim);
        return true;
    }

    private void sweep() {
        for (HttpSession s : sessions.values()) {
            if (s.expired()) {
                end(s);
            }
        }
    }

    private void end(HttpSession session) {
        if (sessions.remove(session.id(), session)) {
            session.close();
        }
    }

    // ------------------------------------------------------------------ GET and DELETE

    private void get(Exchange ex, @Nullable Principal principal) throws IOException {
        String accept = ex.requestHeader("Accept");
        if (accept == null || !accept.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
            plain(ex, 406, "Accept must include text/event-stream");
            return;
        }
        String id = ex.requestHeader("Mcp-Session-Id");
        if (id == null) {
            rpcError(ex, 400, null, -32000, "Bad Request: Mcp-Session-Id header is required");
            return;
        }
        HttpSession session = session(ex, id, principal, null);
        if (session == null || !versionAccepted(ex, null)) {
            return;
        }
        session.touch();
        String last = ex.requestHeader("Last-Event-ID");
        if (last != null) {
            int dot = last.lastIndexOf('.');
            Stream stream = dot < 0 ? null : session.streams.get(last.substring(0, dot));
            long seq = -1;
            try {
                seq = dot < 0 ? -1 : Long.parseLong(last.substring(dot + 1));
            } catch (NumberFormatException e) {
                seq = -1;
            }
            if (stream == null || seq < 0) {
                rpcError(ex, 404, null, -32000, "unknown Last-Event-ID");
                return;
            }
            stream.resume(ex, seq);
            return;
        }
        Stream standalone = session.standalone(ex);
        if (standalone == null) {
            plain(ex, 409, "a GET stream is already open for this session");
            return;
        }
        standalone.awaitDetached();
    }

    private void delete(Exchange ex, @Nullable Principal principal) throws IOException {
        String id = ex.requestHeader("Mcp-Session-Id");
        if (id == null) {
            rpcError(ex, 400, null, -32000, "Bad Request: Mcp-Session-Id header is required");
            return;
        }
        HttpSession session = session(ex, id, principal, null);
        if (session == null) {
            return;
        }
        end(session);
        ex.send(204, -1);
    }

    // ------------------------------------------------------------------ replies

    private static void plain(Exchange ex, int status, String text) throws IOException {
        ex.responseHeader("Content-Type", "text/plain; charset=utf-8");
        send(ex, status, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void json(Exchange ex, int status, JsonNode body) throws IOException {
        ex.responseHeader("Content-Type", "application/json");
        send(ex, status, Json.bytes(body));
    }

    /** Sends a whole response now: flushed, so that it goes before the server drains a body left unread. */
    private static void send(Exchange ex, int status, byte[] body) throws IOException {
        OutputStream out = ex.send(status, body.length);
        out.write(body);
        out.flush();
    }

    /** Answers a JSON-RPC error; it carries the id of the request it answers, when there is one. */
    private static void rpcError(Exchange ex, int status, @Nullable JsonNode message, int code, String text)
            throws IOException {
        rpcError(ex, status, message, code, text, null);
    }

    private static void rpcError(Exchange ex, int status, @Nullable JsonNode message, int code, String text,
            @Nullable JsonNode data) throws IOException {
        JsonNode id = message == null || !message.isObject() ? null : message.get("id");
        json(ex, status, Json.error(id != null && Json.validId(id) ? id : null, code, text, data));
    }

    /**
     * {@return the HTTP status of an answer on the stateless wire: 404 for an unknown method, 400 for a request the
     *         server refuses as it stands, 500 for a failure of the server, 200 for a result or another error}
     */
    private static int status(ObjectNode answer) {
        JsonNode error = answer.get("error");
        if (error == null) {
            return 200;
        }
        return switch (error.path("code").asInt()) {
            case McpException.METHOD_NOT_FOUND -> 404;
            case McpException.INVALID_REQUEST, McpException.INVALID_PARAMS, McpException.HEADER_MISMATCH,
                    McpException.MISSING_CAPABILITY, McpException.UNSUPPORTED_VERSION ->
                400;
            case McpException.INTERNAL_ERROR -> 500;
            default -> 200;
        };
    }

    private static OutputStream openSse(Exchange ex) throws IOException {
        ex.responseHeader("Content-Type", "text/event-stream");
        ex.responseHeader("Cache-Control", "no-cache");
        return ex.send(200, 0);
    }

    // ------------------------------------------------------------------ sessions and streams

    /** A session on this transport: the protocol session and its SSE streams, kept for resumption. */
    private final class HttpSession {
        private final ServerSession session;
        private final boolean stateless;
        /** Who opened it, for the per-source limit. */
        private final String source;
        /** Whether the client came back after {@code initialize}; until then it expires after the handshake timeout. */
        private volatile boolean established;
        private final Map<String, Stream> streams = new ConcurrentHashMap<>();
        private final ArrayDeque<String> order = new ArrayDeque<>();
        private volatile @Nullable Stream standalone;
        private volatile long lastUsed = System.nanoTime();

        HttpSession(String id, @Nullable Principal principal, String source) {
            this(id, principal, source, null);
        }

        /** @param meta the one request's {@code _meta} on the stateless wire, or null for a session */
        HttpSession(String id, @Nullable Principal principal, String source, @Nullable ObjectNode meta) {
            this.stateless = meta != null;
            this.source = source;
            Peer.Sink sink = new Peer.Sink() {
                @Override
                public void message(ObjectNode message) {
                    outbound(message);
                }

                @Override
                public void answer(@Nullable ObjectNode response) {
                    if (response != null) {
                        outbound(response);
                    }
                }
            };
            this.session = meta == null
                    ? server.open(id, sink, principal)
                    : server.openStateless(id, sink, principal, meta);
        }

        String id() {
            return session.id();
        }

        void touch() {
            lastUsed = System.nanoTime();
        }

        boolean expired() {
            Duration life = established ? options.sessionIdle() : options.handshakeTimeout();
            return System.nanoTime() - lastUsed > life.toNanos() && session.peer().running() == 0;
        }

        /** {@return whether the client holds a GET stream open} */
        boolean streaming() {
            Stream s = standalone;
            return s != null && !s.finished();
        }

        /** A message that belongs to no request goes on the GET stream, or nowhere when none is open. */
        void outbound(ObjectNode message) {
            Stream s = standalone;
            if (s != null) {
                s.message(message);
            }
        }

        Stream stream(Exchange ex, boolean sseAllowed, boolean batch) {
            Stream stream = new Stream(this, "s" + streamIds.incrementAndGet(), ex, sseAllowed, batch, false);
            keep(stream);
            return stream;
        }

        synchronized @Nullable Stream standalone(Exchange ex) throws IOException {
            Stream open = standalone;
            if (open != null && !open.finished()) {
                return null;
            }
            Stream stream = new Stream(this, "g" + streamIds.incrementAndGet(), ex, true, false, true);
            keep(stream);
            standalone = stream;
            stream.startSse();
            return stream;
        }

        private synchronized void keep(Stream stream) {
            streams.put(stream.id, stream);
            order.addLast(stream.id);
            while (order.size() > STREAMS_KEPT) {
                Stream old = streams.get(order.peekFirst());
                if (old != null && !old.finished()) {
                    break;
                }
                streams.remove(order.removeFirst());
            }
        }

        void close() {
            server.close(session);
            Stream s = standalone;
            if (s != null) {
                s.finish();
            }
            streams.values().forEach(Stream::finish);
        }
    }

    /**
     * The reply to one POST (or the GET stream): JSON when every answer is ready before anything else must be sent,
     * else an SSE stream whose events are kept so a client can resume it with {@code Last-Event-ID}.
     */
    private final class Stream implements Peer.Sink {
        private final HttpSession owner;
        private final String id;
        private final boolean sseAllowed;
        private final boolean batch;
        private final boolean standalone;
        private final List<ObjectNode> answers = new ArrayList<>();
        private final ArrayDeque<Event> events = new ArrayDeque<>();
        private @Nullable Exchange exchange;
        private @Nullable OutputStream out;
        private boolean sse;
        private boolean done;
        private int expected = -1;
        private int answered;
        private long seq;

        private record Event(long seq, String data) {}

        Stream(HttpSession owner, String id, Exchange exchange, boolean sseAllowed, boolean batch,
                boolean standalone) {
            this.owner = owner;
            this.id = id;
            this.exchange = exchange;
            this.sseAllowed = sseAllowed;
            this.batch = batch;
            this.standalone = standalone;
        }

        synchronized boolean finished() {
            return done;
        }

        @Override
        public synchronized void message(ObjectNode message) {
            if (done) {
                return;
            }
            if (!sse && !startSse()) {
                owner.outbound(message); // a client that takes no SSE gets it on its GET stream, if any
                return;
            }
            event(Json.string(message));
        }

        @Override
        public synchronized void answer(@Nullable ObjectNode response) {
            answered++;
            if (response != null && !done) {
                if (sse) {
                    event(Json.string(response));
                } else {
                    answers.add(response);
                }
            }
            complete();
        }

        synchronized void expect(int count) {
            expected = count;
            complete();
            notifyAll(); // ends keepAliveWhileHandled: the exchange's thread keeps the stream alive from now on
        }

        private void complete() {
            if (done || expected < 0 || answered < expected) {
                return;
            }
            done = true;
            Exchange ex = exchange;
            if (!sse && ex != null) {
                try {
                    if (answers.isEmpty()) {
                        ex.send(202, -1);
                    } else if (batch) {
                        ArrayNode array = Json.array();
                        answers.forEach(array::add);
                        json(ex, 200, array);
                    } else {
                        json(ex, owner.stateless ? status(answers.get(0)) : 200, answers.get(0));
                    }
                } catch (IOException e) {
                    // the client went away
                }
            }
            release();
        }

        /** {@return whether the stream is SSE now} */
        synchronized boolean startSse() {
            Exchange ex = exchange;
            if (sse) {
                return true;
            }
            if (!sseAllowed || ex == null) {
                return false;
            }
            try {
                out = openSse(ex);
                sse = true;
                if (expected < 0) {
                    keepAliveWhileHandled();
                }
                if (!owner.stateless && !owner.session.version().equals("2025-06-18") && !owner.session.version()
                        .equals("2025-03-26")) {
                    // the priming event: an id to resume from, and how long to wait before reconnecting
                    long primed = ++seq;
                    write("id: " + id + "." + primed + "\nretry: " + options.retry().toMillis() + "\ndata: \n\n");
                }
            } catch (IOException e) {
                out = null;
                sse = true;
            }
            return true;
        }

        private void event(String data) {
            long n = ++seq;
            events.addLast(new Event(n, data));
            while (events.size() > EVENTS_KEPT) {
                events.removeFirst();
            }
            write("id: " + id + "." + n + "\ndata: " + data + "\n\n");
        }

        private void write(String text) {
            OutputStream o = out;
            if (o == null) {
                return;
            }
            try {
                o.write(text.getBytes(StandardCharsets.UTF_8));
                o.flush();
            } catch (IOException e) {
                out = null; // the client went away; it may resume
                notifyAll();
            }
        }

        @Override
        public synchronized void detach() {
            if (!startSse()) {
                return;
            }
            release();
        }

        /** Lets the exchange go: its handler returns and closes it. */
        private void release() {
            out = null;
            exchange = null;
            notifyAll();
        }

        synchronized void finish() {
            done = true;
            release();
        }

        /**
         * Keeps an SSE stream alive while its request is still being handled: the handler may run on the exchange's
         * own thread, which then cannot, until it returns to {@link #awaitDetached}.
         */
        private void keepAliveWhileHandled() {
            Exchange mine = exchange;
            long keepAlive = KEEP_ALIVE.toMillis();
            Thread.ofVirtual().name("mcp-keep-alive").start(() -> {
                synchronized (this) {
                    while (expected < 0 && exchange == mine && !done && out != null) {
                        try {
                            wait(keepAlive);
                        } catch (InterruptedException e) {
                            return;
                        }
                        if (expected < 0 && exchange == mine && !done) {
                            write(": keep-alive\n\n");
                        }
                    }
                }
            });
        }

        /** Blocks the exchange's handler until the stream is done or let go of its exchange. */
        synchronized void awaitDetached() {
            Exchange mine = exchange;
            long keepAlive = KEEP_ALIVE.toMillis();
            while (exchange == mine && mine != null && !done && (out != null || !sse)) {
                try {
                    wait(sse ? keepAlive : 0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (sse && exchange == mine && !done) {
                    write(": keep-alive\n\n");
                }
            }
            if (standalone && owner.standalone == this) {
                done = true;
            }
        }

        /** Replays the events after {@code after} on a new GET, then goes on live until the stream is done. */
        void resume(Exchange ex, long after) throws IOException {
            synchronized (this) {
                release();
                out = openSse(ex);
                exchange = ex;
                sse = true;
                for (Iterator<Event> it = events.iterator(); it.hasNext();) {
                    Event e = it.next();
                    if (e.seq() > after) {
                        write("id: " + id + "." + e.seq() + "\ndata: " + e.data() + "\n\n");
                    }
                }
                if (done) {
                    release();
                    return;
                }
            }
            awaitDetached();
        }
    }
}
