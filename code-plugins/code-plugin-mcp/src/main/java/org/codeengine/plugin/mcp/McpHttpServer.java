package org.codeengine.plugin.mcp;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.codeengine.api.CodeException;
import org.codeengine.api.Secret;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.plugin.mcp.internal.Json;
import org.codeengine.plugin.mcp.internal.Peer;
import org.codeengine.plugin.mcp.internal.Protocol;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An {@link McpServer} on Streamable HTTP: one endpoint that takes POSTed messages and answers with JSON or an SSE
 * stream, an optional GET stream for messages that belong to no request, sessions in {@code MCP-Session-Id} (404 for
 * an unknown one, DELETE ends one), resumption of SSE streams with {@code Last-Event-ID}, Host and Origin checks
 * against DNS rebinding, and bearer tokens checked by CODE's security when authorization is on. Runs on the JDK's
 * {@code HttpServer} with a virtual thread per exchange. Close it to stop.
 */
public final class McpHttpServer implements AutoCloseable {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
    private static final int EVENTS_KEPT = 1_000;
    private static final int STREAMS_KEPT = 64;
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

    /**
     * Where and how to serve.
     *
     * @param host the address to bind; {@code 127.0.0.1} by default
     * @param port the port; 0 picks a free one
     * @param path the endpoint's path, such as {@code /mcp}
     * @param allowedHosts host names accepted in {@code Host} and {@code Origin} besides the loopback names; copied
     * @param retry the reconnection delay sent in SSE {@code retry} fields
     * @param sessionIdle how long a session lives without a request
     * @param maxSessions the most sessions at once; more get 503
     * @param authorization bearer tokens required, or null for none
     */
    public record Options(String host, int port, String path, Set<String> allowedHosts, Duration retry,
            Duration sessionIdle, int maxSessions, @Nullable Authorization authorization) {
        /** @throws IllegalArgumentException if a field breaks its rule */
        public Options {
            if (host == null || host.isBlank() || port < 0 || port > 65535 || path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("host must be set, port in 0..65535 and path start with /");
            }
            if (retry == null || retry.isNegative() || sessionIdle == null || !sessionIdle.isPositive()
                    || maxSessions < 1) {
                throw new IllegalArgumentException("retry must not be negative, sessionIdle positive, maxSessions "
                        + "at least 1");
            }
            allowedHosts = Set.copyOf(allowedHosts == null
                    ? Set.of()
                    : allowedHosts.stream().map(h -> h.toLowerCase(
                            Locale.ROOT)).toList());
        }

        /** @return {@code 127.0.0.1:port}, endpoint {@code /mcp}, retry 1 s, sessions idle 30 min, 1,000 sessions */
        public static Options loopback(int port) {
            return new Options("127.0.0.1", port, "/mcp", Set.of(), Duration.ofSeconds(1), Duration.ofMinutes(30),
                    1_000, null);
        }

        /** @return these options with another endpoint path */
        public Options withPath(String newPath) {
            return new Options(host, port, newPath, allowedHosts, retry, sessionIdle, maxSessions, authorization);
        }

        /** @return these options bound to another address; name the hosts clients use with {@link #withAllowedHosts} */
        public Options withHost(String newHost) {
            return new Options(newHost, port, path, allowedHosts, retry, sessionIdle, maxSessions, authorization);
        }

        /** @return these options accepting more host names in {@code Host} and {@code Origin} */
        public Options withAllowedHosts(Set<String> hosts) {
            return new Options(host, port, path, hosts, retry, sessionIdle, maxSessions, authorization);
        }

        /** @return these options with another SSE retry delay */
        public Options withRetry(Duration newRetry) {
            return new Options(host, port, path, allowedHosts, newRetry, sessionIdle, maxSessions, authorization);
        }

        /** @return these options with other session limits */
        public Options withSessions(Duration idle, int most) {
            return new Options(host, port, path, allowedHosts, retry, idle, most, authorization);
        }

        /** @return these options requiring bearer tokens */
        public Options withAuthorization(Authorization auth) {
            return new Options(host, port, path, allowedHosts, retry, sessionIdle, maxSessions, auth);
        }
    }

    /**
     * The server as an OAuth 2.1 resource server: every request needs {@code Authorization: Bearer <token>}, which
     * CODE's security authenticates (a JWT access token it verifies, whose audience is this resource); a missing or
     * bad token gets 401 with {@code WWW-Authenticate} pointing at the protected-resource metadata (RFC 9728). A valid
     * token that lacks a scope the request needs (as {@code scopePolicy} says) gets 403 with
     * {@code WWW-Authenticate: Bearer error="insufficient_scope", scope="..."} (RFC 6750 §3.1), naming the scopes the
     * token has and those the request needs, so that the client can ask for them all at once. A token's scopes are
     * those of its {@code scope} claim (space-separated, RFC 9068 §2.2.3) or {@code scp} claim (a list or a
     * space-separated string), read after the token is verified.
     *
     * @param security authenticates tokens
     * @param resource the endpoint's canonical URI as clients see it, such as {@code https://tools.example/mcp}
     * @param authorizationServers the issuers of tokens, listed in the metadata
     * @param scopes the scopes listed in the metadata and asked for in challenges; copied
     * @param scopePolicy which scopes each request needs
     */
    public record Authorization(SecurityFacade security, URI resource, List<URI> authorizationServers,
            List<String> scopes, ScopePolicy scopePolicy) {
        /** @throws IllegalArgumentException if a field is missing */
        public Authorization {
            if (security == null || resource == null || authorizationServers == null || authorizationServers
                    .isEmpty() || scopePolicy == null) {
                throw new IllegalArgumentException("security, resource, scopePolicy and at least one authorization "
                        + "server are needed");
            }
            authorizationServers = List.copyOf(authorizationServers);
            scopes = List.copyOf(scopes == null ? List.of() : scopes);
        }

        /**
         * An authorization whose requests need no particular scope.
         *
         * @throws IllegalArgumentException if a field is missing
         */
        public Authorization(SecurityFacade security, URI resource, List<URI> authorizationServers,
                List<String> scopes) {
            this(security, resource, authorizationServers, scopes, ScopePolicy.none());
        }

        /** @return this authorization with another scope policy */
        public Authorization withScopePolicy(ScopePolicy policy) {
            return new Authorization(security, resource, authorizationServers, scopes, policy);
        }
    }

    /** Which scopes a request needs; a token without all of them gets 403 {@code insufficient_scope}. */
    @FunctionalInterface
    public interface ScopePolicy {
        /**
         * @param method the JSON-RPC method, such as {@code tools/call}
         * @param params its parameters; an empty object when it has none
         * @return the scopes the request needs, empty for none
         */
        Set<String> required(String method, JsonNode params);

        /** @return a policy that asks no scope of any request */
        static ScopePolicy none() {
            return (method, params) -> Set.of();
        }

        /**
         * @param byTool the scopes each tool needs, by tool name; copied
         * @return a policy that asks those scopes of {@code tools/call} for the named tools, and none of the rest
         * @throws IllegalArgumentException if the map is null
         */
        static ScopePolicy forTools(Map<String, Set<String>> byTool) {
            if (byTool == null) {
                throw new IllegalArgumentException("byTool must not be null");
            }
            Map<String, Set<String>> copy = Map.copyOf(byTool);
            return (method, params) -> "tools/call".equals(method)
                    ? Set.copyOf(copy.getOrDefault(params.path("name").asString(""), Set.of()))
                    : Set.of();
        }
    }

    /** An authenticated caller: who it is and the scopes its token grants. */
    private record Caller(Principal principal, Set<String> scopes) {}

    private final McpServer server;
    private final Options options;
    private final HttpServer http;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, HttpSession> sessions = new ConcurrentHashMap<>();
    private final AtomicLong streamIds = new AtomicLong();

    McpHttpServer(McpServer server, Options options) {
        this.server = server;
        this.options = options;
        try {
            this.http = HttpServer.create(new InetSocketAddress(options.host(), options.port()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + options.host() + ":" + options.port(), e);
        }
        http.setExecutor(threads);
        http.createContext("/", this::exchange);
        http.start();
    }

    /** @return the port it listens on */
    public int port() {
        return http.getAddress().getPort();
    }

    /** @return the endpoint's URI, such as {@code http://127.0.0.1:8080/mcp} */
    public URI endpoint() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port() + options.path());
    }

    /** @return how many sessions are open */
    public int sessionCount() {
        return sessions.size();
    }

    /** Ends every session and stops listening; calling it again does nothing. */
    @Override
    public void close() {
        for (HttpSession s : sessions.values()) {
            end(s);
        }
        http.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "McpHttpServer[" + endpoint() + ", sessions=" + sessions.size() + "]";
    }

    // ------------------------------------------------------------------ routing

    private void exchange(HttpExchange ex) {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (!hostAllowed(ex.getRequestHeaders())) {
                plain(ex, 403, "the Host or Origin header is not allowed");
                return;
            }
            if (options.authorization() != null && path.startsWith("/.well-known/oauth-protected-resource")) {
                metadata(ex);
                return;
            }
            if (!path.equals(options.path())) {
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
            switch (ex.getRequestMethod()) {
                case "POST" -> post(ex, caller);
                case "GET" -> get(ex, principal);
                case "DELETE" -> delete(ex, principal);
                default -> {
                    ex.getResponseHeaders().set("Allow", "GET, POST, DELETE");
                    plain(ex, 405, "method not allowed");
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the client went away
        }
    }

    private boolean hostAllowed(Headers headers) {
        String host = headers.getFirst("Host");
        if (host == null || !allowed(hostName(host))) {
            return false;
        }
        String origin = headers.getFirst("Origin");
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

    private void metadata(HttpExchange ex) throws IOException {
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

    private String challenge() {
        Authorization auth = options.authorization();
        return "Bearer resource_metadata=\"" + metadataUrl() + "\"" + (auth.scopes().isEmpty()
                ? ""
                : ", scope=\"" + String.join(" ", auth.scopes()) + "\"");
    }

    private @Nullable Caller authenticate(HttpExchange ex) throws IOException {
        Authorization auth = options.authorization();
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.length() <= 7) {
            ex.getResponseHeaders().set("WWW-Authenticate", challenge());
            plain(ex, 401, "authorization required");
            return null;
        }
        String token = header.substring(7).strip();
        Principal principal;
        try {
            principal = auth.security().authenticate(new Credentials.BearerToken(Secret.of(token)));
        } catch (CodeException | IllegalArgumentException e) {
            ex.getResponseHeaders().set("WWW-Authenticate", challenge() + ", error=\"invalid_token\"");
            plain(ex, 401, "invalid token");
            return null;
        }
        return new Caller(principal, grantedScopes(token));
    }

    /** @return the scopes in a (verified) JWT's {@code scope} or {@code scp} claim; none for another kind of token */
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

    /** @return the scopes the message (or each message of a batch) needs */
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
    private void insufficientScope(HttpExchange ex, Set<String> granted, Set<String> needed) throws IOException {
        Set<String> all = new LinkedHashSet<>(granted);
        all.addAll(needed);
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"" + String
                .join(" ", all) + "\", resource_metadata=\"" + metadataUrl()
                + "\", error_description=\"the request needs more scope\"");
        plain(ex, 403, "insufficient scope");
    }

    // ------------------------------------------------------------------ POST

    private void post(HttpExchange ex, @Nullable Caller caller) throws IOException {
        Principal principal = caller == null ? null : caller.principal();
        Headers h = ex.getRequestHeaders();
        String accept = h.getFirst("Accept") == null ? "" : h.getFirst("Accept").toLowerCase(Locale.ROOT);
        boolean sse = accept.contains("text/event-stream");
        if (!accept.isEmpty() && !sse && !accept.contains("application/json") && !accept.contains("*/*")) {
            plain(ex, 406, "Accept must include application/json and text/event-stream");
            return;
        }
        String type = h.getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            plain(ex, 415, "Content-Type must be application/json");
            return;
        }
        byte[] body = read(ex.getRequestBody());
        if (body == null) {
            rpcError(ex, 413, McpException.INVALID_REQUEST, "the message is larger than " + Json.MAX_MESSAGE
                    + " bytes");
            return;
        }
        JsonNode message;
        try {
            message = Json.parse(new String(body, StandardCharsets.UTF_8));
        } catch (McpException e) {
            rpcError(ex, 400, e.code(), e.getMessage());
            return;
        }
        if (caller != null) {
            Set<String> needed = requiredScopes(message);
            if (!caller.scopes().containsAll(needed)) {
                insufficientScope(ex, caller.scopes(), needed);
                return;
            }
        }
        boolean initialize = message.isObject() && "initialize".equals(message.path("method").asString(""));
        String id = h.getFirst("Mcp-Session-Id");
        HttpSession session;
        if (initialize && id == null) {
            sweep();
            if (sessions.size() >= options.maxSessions()) {
                rpcError(ex, 503, -32000, "too many sessions");
                return;
            }
            session = new HttpSession(UUID.randomUUID().toString(), principal);
        } else {
            if (id == null) {
                rpcError(ex, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
                return;
            }
            session = session(ex, id, principal);
            if (session == null) {
                return;
            }
            if (!versionAccepted(ex)) {
                return;
            }
        }
        session.touch();
        if (!hasRequest(message)) {
            session.session.peer().receive(message, new Peer.Sink() {
                @Override
                public void message(ObjectNode m) {
                    session.outbound(m);
                }

                @Override
                public void answer(@Nullable ObjectNode response) {
                    // answers to invalid notifications are not sent: HTTP 202 says it was taken
                }
            });
            ex.sendResponseHeaders(202, -1);
            return;
        }
        Stream stream = session.stream(ex, sse, message.isArray() && session.session.peer().batches());
        if (initialize) {
            ex.getResponseHeaders().set("Mcp-Session-Id", session.id());
        }
        if (initialize) {
            sessions.put(session.id(), session);
        }
        int expected = session.session.peer().receive(message, stream);
        stream.expect(expected);
        stream.awaitDetached();
    }

    private boolean versionAccepted(HttpExchange ex) throws IOException {
        String version = ex.getRequestHeaders().getFirst("MCP-Protocol-Version");
        if (version != null && !Protocol.VERSIONS.contains(version.strip())) {
            rpcError(ex, 400, -32000, "Bad Request: unsupported MCP-Protocol-Version " + Json.clip(version));
            return false;
        }
        return true;
    }

    private static boolean hasRequest(JsonNode message) {
        if (message.isArray()) {
            for (JsonNode each : message) {
                if (!each.isObject() || (each.has("method") && each.has("id")) || !(each.has("method") || each.has(
                        "result") || each.has("error"))) {
                    return true;
                }
            }
            return message.isEmpty();
        }
        return !message.isObject() || message.has("id") && message.has("method") || !(message.has("method")
                || message.has("result") || message.has("error"));
    }

    private static byte @Nullable [] read(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(Json.MAX_MESSAGE + 1);
        if (bytes.length > Json.MAX_MESSAGE) {
            in.skip(Long.MAX_VALUE);
            return null;
        }
        return bytes;
    }

    private @Nullable HttpSession session(HttpExchange ex, String id, @Nullable Principal principal)
            throws IOException {
        HttpSession session = sessions.get(id);
        if (session == null || session.expired()) {
            if (session != null) {
                end(session);
            }
            rpcError(ex, 404, -32001, "Session not found");
            return null;
        }
        Principal owner = session.session.principal();
        if (principal != null && owner != null && !owner.id().equals(principal.id())) {
            rpcError(ex, 404, -32001, "Session not found");
            return null;
        }
        return session;
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

    private void get(HttpExchange ex, @Nullable Principal principal) throws IOException {
        String accept = ex.getRequestHeaders().getFirst("Accept");
        if (accept == null || !accept.toLowerCase(Locale.ROOT).contains("text/event-stream")) {
            plain(ex, 406, "Accept must include text/event-stream");
            return;
        }
        String id = ex.getRequestHeaders().getFirst("Mcp-Session-Id");
        if (id == null) {
            rpcError(ex, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
            return;
        }
        HttpSession session = session(ex, id, principal);
        if (session == null || !versionAccepted(ex)) {
            return;
        }
        session.touch();
        String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
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
                rpcError(ex, 404, -32000, "unknown Last-Event-ID");
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

    private void delete(HttpExchange ex, @Nullable Principal principal) throws IOException {
        String id = ex.getRequestHeaders().getFirst("Mcp-Session-Id");
        if (id == null) {
            rpcError(ex, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
            return;
        }
        HttpSession session = session(ex, id, principal);
        if (session == null) {
            return;
        }
        end(session);
        ex.sendResponseHeaders(204, -1);
    }

    // ------------------------------------------------------------------ replies

    private static void plain(HttpExchange ex, int status, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void rpcError(HttpExchange ex, int status, int code, String message) throws IOException {
        json(ex, status, Json.error(null, code, message, null));
    }

    // ------------------------------------------------------------------ sessions and streams

    /** A session on this transport: the protocol session and its SSE streams, kept for resumption. */
    private final class HttpSession {
        private final ServerSession session;
        private final Map<String, Stream> streams = new ConcurrentHashMap<>();
        private final ArrayDeque<String> order = new ArrayDeque<>();
        private volatile @Nullable Stream standalone;
        private volatile long lastUsed = System.nanoTime();

        HttpSession(String id, @Nullable Principal principal) {
            this.session = server.open(id, new Peer.Sink() {
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
            }, principal);
        }

        String id() {
            return session.id();
        }

        void touch() {
            lastUsed = System.nanoTime();
        }

        boolean expired() {
            return System.nanoTime() - lastUsed > options.sessionIdle().toNanos() && session.peer().running() == 0;
        }

        /** A message that belongs to no request goes on the GET stream, or nowhere when none is open. */
        void outbound(ObjectNode message) {
            Stream s = standalone;
            if (s != null) {
                s.message(message);
            }
        }

        Stream stream(HttpExchange ex, boolean sseAllowed, boolean batch) {
            Stream stream = new Stream(this, "s" + streamIds.incrementAndGet(), ex, sseAllowed, batch, false);
            keep(stream);
            return stream;
        }

        synchronized @Nullable Stream standalone(HttpExchange ex) throws IOException {
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
        private @Nullable HttpExchange exchange;
        private @Nullable OutputStream out;
        private boolean sse;
        private boolean done;
        private int expected = -1;
        private int answered;
        private long seq;

        private record Event(long seq, String data) {}

        Stream(HttpSession owner, String id, HttpExchange exchange, boolean sseAllowed, boolean batch,
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
            event(message.toString());
        }

        @Override
        public synchronized void answer(@Nullable ObjectNode response) {
            answered++;
            if (response != null && !done) {
                if (sse) {
                    event(response.toString());
                } else {
                    answers.add(response);
                }
            }
            complete();
        }

        synchronized void expect(int count) {
            expected = count;
            complete();
        }

        private void complete() {
            if (done || expected < 0 || answered < expected) {
                return;
            }
            done = true;
            HttpExchange ex = exchange;
            if (!sse && ex != null) {
                try {
                    if (answers.isEmpty()) {
                        ex.sendResponseHeaders(202, -1);
                    } else if (batch) {
                        ArrayNode array = Json.array();
                        answers.forEach(array::add);
                        json(ex, 200, array);
                    } else {
                        json(ex, 200, answers.get(0));
                    }
                } catch (IOException e) {
                    // the client went away
                }
            }
            release();
        }

        /** @return whether the stream is SSE now */
        synchronized boolean startSse() {
            HttpExchange ex = exchange;
            if (sse) {
                return true;
            }
            if (!sseAllowed || ex == null) {
                return false;
            }
            try {
                Headers headers = ex.getResponseHeaders();
                headers.set("Content-Type", "text/event-stream");
                headers.set("Cache-Control", "no-cache");
                ex.sendResponseHeaders(200, 0);
                out = ex.getResponseBody();
                sse = true;
                if (!owner.session.version().equals("2025-06-18") && !owner.session.version().equals(
                        "2025-03-26")) {
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

        /** Blocks the exchange's handler until the stream is done or let go of its exchange. */
        synchronized void awaitDetached() {
            HttpExchange mine = exchange;
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
        void resume(HttpExchange ex, long after) throws IOException {
            synchronized (this) {
                release();
                Headers headers = ex.getResponseHeaders();
                headers.set("Content-Type", "text/event-stream");
                headers.set("Cache-Control", "no-cache");
                ex.sendResponseHeaders(200, 0);
                exchange = ex;
                out = ex.getResponseBody();
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
