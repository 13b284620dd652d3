package org.codeengine.plugin.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.security.SecurityFacade;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * An {@link McpServer} on Streamable HTTP: one endpoint that takes POSTed messages and answers with JSON or an SSE
 * stream, an optional GET stream for messages that belong to no request, sessions in {@code MCP-Session-Id} (404 for
 * an unknown one, DELETE ends one), resumption of SSE streams with {@code Last-Event-ID}, Host and Origin checks
 * against DNS rebinding, and bearer tokens checked by CODE's security when authorization is on. Runs on a small
 * HTTP/1.1 server of its own with a virtual thread per connection, which serves that connection's requests itself.
 * Close it to stop.
 */
public final class McpHttpServer implements AutoCloseable {
    /**
     * Where and how to serve.
     *
     * <p>A new session that would break a limit takes the place of another of the same source (for the per-source
     * limit) or of any source: one whose handshake never finished first, then the one idle longest; never one with a
     * request running. Only when every candidate is busy does {@code initialize} get 503. Connections work alike: a new
     * one over a cap takes the place of the connection that has waited longest for a request (of its own address when
     * that address is at its cap), which is closed; only when every candidate is serving a request is the new one
     * answered 503 and closed before its request is read.
     *
     * @param host the address to bind; {@code 127.0.0.1} by default
     * @param port the port; 0 picks a free one
     * @param path the endpoint's path, such as {@code /mcp}
     * @param allowedHosts host names accepted in {@code Host} and {@code Origin} besides the loopback names; copied
     * @param retry the reconnection delay sent in SSE {@code retry} fields
     * @param sessionIdle how long a session lives without a request
     * @param maxSessions the most sessions at once
     * @param maxSessionsPerSource the most sessions of one source at once: one caller when authorization is on, else
     *        one remote address (every loopback client is one source)
     * @param handshakeTimeout how long a session lives whose client sent nothing after {@code initialize}
     * @param authorization bearer tokens required, or null for none
     * @param maxConnections the most HTTP connections open at once
     * @param maxConnectionsPerAddress the most HTTP connections of one remote address open at once (every loopback
     *        client is one address), at most {@code maxConnections}
     */
    public record Options(String host, int port, String path, Set<String> allowedHosts, Duration retry,
            Duration sessionIdle, int maxSessions, int maxSessionsPerSource, Duration handshakeTimeout,
            @Nullable Authorization authorization, int maxConnections, int maxConnectionsPerAddress) {
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
            if (maxSessionsPerSource < 1 || maxSessionsPerSource > maxSessions) {
                throw new IllegalArgumentException("maxSessionsPerSource must be between 1 and maxSessions ("
                        + maxSessions + ") but was " + maxSessionsPerSource);
            }
            if (handshakeTimeout == null || !handshakeTimeout.isPositive()) {
                throw new IllegalArgumentException("handshakeTimeout must be positive");
            }
            if (maxConnections < 1 || maxConnectionsPerAddress < 1 || maxConnectionsPerAddress > maxConnections) {
                throw new IllegalArgumentException("maxConnections must be at least 1 and maxConnectionsPerAddress "
                        + "between 1 and maxConnections (" + maxConnections + ") but was " + maxConnectionsPerAddress);
            }
            allowedHosts = Set.copyOf(allowedHosts == null
                    ? Set.of()
                    : allowedHosts.stream().map(h -> h.toLowerCase(
                            Locale.ROOT)).toList());
        }

        /**
         * The default limits: sessions idle 30 min, 1,000 at once, 250 of one source, 10 s to finish a handshake;
         * 1,024 connections at once, 512 of one address.
         */
        private static final int MAX_SESSIONS = 1_000;
        private static final int MAX_PER_SOURCE = 250;
        private static final Duration HANDSHAKE = Duration.ofSeconds(10);
        /** The default most connections at once. */
        public static final int MAX_CONNECTIONS = 1_024;
        /** The default most connections of one remote address at once. */
        public static final int MAX_CONNECTIONS_PER_ADDRESS = 512;

        /**
         * {@return {@code 127.0.0.1:port}, endpoint {@code /mcp}, retry 1 s, sessions idle 30 min, 1,000 sessions, 250
         *         of one source, 10 s to finish a handshake, 1,024 connections, 512 of one address}
         */
        public static Options loopback(int port) {
            return new Options("127.0.0.1", port, "/mcp", Set.of(), Duration.ofSeconds(1), Duration.ofMinutes(30),
                    MAX_SESSIONS, MAX_PER_SOURCE, HANDSHAKE, null, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_ADDRESS);
        }

        /** {@return these options with another endpoint path} */
        public Options withPath(String newPath) {
            return new Options(host, port, newPath, allowedHosts, retry, sessionIdle, maxSessions,
                    maxSessionsPerSource, handshakeTimeout, authorization, maxConnections, maxConnectionsPerAddress);
        }

        /** {@return these options bound to another address; name the hosts clients use with {@link #withAllowedHosts}} */
        public Options withHost(String newHost) {
            return new Options(newHost, port, path, allowedHosts, retry, sessionIdle, maxSessions,
                    maxSessionsPerSource, handshakeTimeout, authorization, maxConnections, maxConnectionsPerAddress);
        }

        /** {@return these options accepting more host names in {@code Host} and {@code Origin}} */
        public Options withAllowedHosts(Set<String> hosts) {
            return new Options(host, port, path, hosts, retry, sessionIdle, maxSessions, maxSessionsPerSource,
                    handshakeTimeout, authorization, maxConnections, maxConnectionsPerAddress);
        }

        /** {@return these options with another SSE retry delay} */
        public Options withRetry(Duration newRetry) {
            return new Options(host, port, path, allowedHosts, newRetry, sessionIdle, maxSessions,
                    maxSessionsPerSource, handshakeTimeout, authorization, maxConnections, maxConnectionsPerAddress);
        }

        /** {@return these options with another idle time and most sessions (and no more of one source than that)} */
        public Options withSessions(Duration idle, int most) {
            return new Options(host, port, path, allowedHosts, retry, idle, most, Math.max(1, Math.min(
                    maxSessionsPerSource, most)), handshakeTimeout, authorization, maxConnections,
                    maxConnectionsPerAddress);
        }

        /** {@return these options with other session limits; see {@link Options}} */
        public Options withSessionLimits(Duration idle, int most, int perSource, Duration handshake) {
            return new Options(host, port, path, allowedHosts, retry, idle, most, perSource, handshake,
                    authorization, maxConnections, maxConnectionsPerAddress);
        }

        /** {@return these options requiring bearer tokens} */
        public Options withAuthorization(Authorization auth) {
            return new Options(host, port, path, allowedHosts, retry, sessionIdle, maxSessions, maxSessionsPerSource,
                    handshakeTimeout, auth, maxConnections, maxConnectionsPerAddress);
        }

        /**
         * {@return these options with other connection caps; see {@link Options}}
         *
         * @param most the most connections open at once
         * @param perAddress the most of one remote address, at most {@code most}
         */
        public Options withConnectionLimits(int most, int perAddress) {
            return new Options(host, port, path, allowedHosts, retry, sessionIdle, maxSessions, maxSessionsPerSource,
                    handshakeTimeout, authorization, most, perAddress);
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

        /** {@return this authorization with another scope policy} */
        public Authorization withScopePolicy(ScopePolicy policy) {
            return new Authorization(security, resource, authorizationServers, scopes, policy);
        }
    }

    /** Which scopes a request needs; a token without all of them gets 403 {@code insufficient_scope}. */
    @FunctionalInterface
    public interface ScopePolicy {
        /**
         * {@return the scopes the request needs, empty for none}
         *
         * @param method the JSON-RPC method, such as {@code tools/call}
         * @param params its parameters; an empty object when it has none
         */
        Set<String> required(String method, JsonNode params);

        /** {@return a policy that asks no scope of any request} */
        static ScopePolicy none() {
            return (method, params) -> Set.of();
        }

        /**
         * {@return a policy that asks those scopes of {@code tools/call} for the named tools, and none of the rest}
         *
         * @param byTool the scopes each tool needs, by tool name; copied
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

    /** How long a connection may wait for its next request, or take to send one. */
    private static final Duration CONNECTION_IDLE = Duration.ofSeconds(30);

    private final Options options;
    private final StreamableHttp transport;
    private final Http1Server http;

    McpHttpServer(McpServer server, Options options) {
        this.options = options;
        this.transport = new StreamableHttp(server, options, options.path());
        try {
            this.http = new Http1Server(new InetSocketAddress(options.host(), options.port()), CONNECTION_IDLE,
                    options.maxConnections(), options.maxConnectionsPerAddress(), transport::handle);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + options.host() + ":" + options.port(), e);
        }
    }

    /** {@return the port it listens on} */
    public int port() {
        return http.port();
    }

    /** {@return the endpoint's URI, such as {@code http://127.0.0.1:8080/mcp}} */
    public URI endpoint() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        return URI.create("http://" + host + ":" + port() + options.path());
    }

    /** {@return how many sessions are open} */
    public int sessionCount() {
        return transport.sessionCount();
    }

    /** {@return how many HTTP connections are open} */
    public int connectionCount() {
        return http.connectionCount();
    }

    /** {@return how many HTTP connections were refused for being over a cap since the server started} */
    public long refusedConnections() {
        return http.refusedConnections();
    }

    /**
     * {@return how many idle HTTP connections (waiting for a request) were closed since the server started, each to
     *         make room for a new connection over a cap}
     */
    public long evictedConnections() {
        return http.evictedConnections();
    }

    /** Ends every session and stops listening; calling it again does nothing. */
    @Override
    public void close() {
        transport.close();
        http.close();
    }

    @Override
    public String toString() {
        return "McpHttpServer[" + endpoint() + ", sessions=" + sessionCount() + ", connections=" + connectionCount()
                + "]";
    }
}
