package org.codeengine.plugin.mcp;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.CodeException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.plugin.mcp.internal.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OAuth 2.1 client side of MCP authorization, run when the server answers 401 or 403, and before a token expires.
 * Thread-safe: one token request at a time.
 */
final class OAuthFlow {
    private static final Pattern PARAM = Pattern.compile("([A-Za-z_]+)\\s*=\\s*(?:\"([^\"]*)\"|([^,\\s]+))");
    private static final Pattern ERROR_CODE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final int MAX_STEP_UPS = 2;
    private static final String OFFLINE_ACCESS = "offline_access";
    private static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private static final String ID_JAG = "urn:ietf:params:oauth:token-type:id-jag";
    private static final String ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
    private static final String CLIENT_ASSERTION = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    /** Refresh this long before the access token expires (at most half its lifetime before). */
    private static final Duration REFRESH_AHEAD = Duration.ofSeconds(30);
    private static final Duration ASSERTION_LIFETIME = Duration.ofSeconds(60);

    /**
     * The authorization server found by discovery.
     *
     * @param metadata its metadata (or the 2025-03-26 fallback endpoints)
     * @param issuer its issuer identifier, the audience of assertions made for it
     * @param resource the MCP server's resource URI, sent in {@code resource}
     */
    private record Server(JsonNode metadata, String issuer, String resource) {}

    /**
     * @param access the access token
     * @param refresh the refresh token, or null
     * @param refreshAt when to get a new access token, or null when the server gave no lifetime
     * @param afterRejection whether it came from a refresh after the server refused the token before it (when the
     *        server refuses this one too, the client authorizes anew)
     * @param bound whether it is bound to the client's DPoP key ({@code token_type} DPoP): presented with a proof
     */
    private record Tokens(Secret access, @Nullable Secret refresh, @Nullable Instant refreshAt,
            boolean afterRejection, boolean bound) {}

    private final McpOAuth config;
    private final HttpClient http;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private @Nullable Tokens tokens;
    private @Nullable Server server;
    /** Signs DPoP proofs once an authorization server offers to bind tokens to a key; null until then. */
    private @Nullable DpopProofs dpop;
    /** The authorization server the protected resource named last. */
    private @Nullable URI authorizationServer;
    private @Nullable String clientId;
    private @Nullable Secret clientSecret;
    private @Nullable String authMethod;
    private final Set<String> granted = new LinkedHashSet<>();
    private int stepUps;

    OAuthFlow(McpOAuth config, HttpClient http) {
        this.config = config;
        this.http = http;
        this.clock = config.clock();
    }

    /**
     * {@return the access token to send, renewed first when it is about to expire (a failed renewal keeps the old
     *         one, so that the server's 401 leads to a new authorization)}
     */
    synchronized Optional<Secret> token() {
        Tokens held = tokens;
        if (held != null && held.refreshAt() != null && !clock.instant().isBefore(held.refreshAt())) {
            try {
                if (!refresh(false)) {
                    renewWithoutUser();
                }
            } catch (AuthenticationException e) {
                renewQuietly();
            } catch (CodeException e) {
                // the authorization server is unreachable: keep the token, the MCP server's answer decides
            }
        }
        return Optional.ofNullable(tokens).map(Tokens::access);
    }

    private void renewQuietly() {
        try {
            renewWithoutUser();
        } catch (CodeException e) {
            // keep the token: the MCP server's 401 leads to a new authorization
        }
    }

    /**
     * Gets a new token after a 401 or 403 from the MCP endpoint: after a 401 for a token that has a refresh token,
     * refreshes it; otherwise discovers the servers and runs the grant.
     *
     * @param sent the token the refused request carried, or null
     * @return the token to retry with
     * @throws AuthenticationException if no token can be had, or the server asked for more scope too often
     */
    synchronized Secret authorize(URI endpoint, int status, @Nullable String challenge, @Nullable Secret sent) {
        Map<String, String> params = challenge(challenge);
        if (status == 403) {
            if (!"insufficient_scope".equals(params.get("error")) || ++stepUps > MAX_STEP_UPS) {
                throw new AuthenticationException("the server refused the token (403) and more scope did not help",
                        null);
            }
        } else if (tokens != null && !tokens.access().equals(sent)) {
            return tokens.access(); // another request renewed it meanwhile
        }
        JsonNode resource = resourceMetadata(endpoint, params.get("resource_metadata"));
        if (resource != null && resource.has("resource") && !covers(resource.path("resource").asString(""),
                endpoint)) {
            throw new AuthenticationException("the protected-resource metadata names another resource than "
                    + endpoint, null);
        }
        boolean named = resource != null && resource.path("authorization_servers").isArray() && !resource.path(
                "authorization_servers").isEmpty();
        URI issuer = named ? URI.create(resource.path("authorization_servers").get(0).asString()) : origin(endpoint);
        if (authorizationServer != null && !authorizationServer.equals(issuer)) {
            moved(); // SEP-2352: nothing of the old authorization server carries over
        } else if (status != 403 && tokens != null && !tokens.afterRejection()) {
            try {
                if (refresh(true)) {
                    return tokens.access();
                }
            } catch (AuthenticationException e) {
                // the refresh token is spent; authorize anew
            }
        }
        authorizationServer = issuer;
        JsonNode metadata = serverMetadata(issuer, named);
        String scope = params.get("scope");
        if (scope == null && resource != null && resource.path("scopes_supported").isArray()) {
            List<String> supported = new ArrayList<>();
            resource.path("scopes_supported").forEach(s -> supported.add(s.asString()));
            scope = String.join(" ", supported);
        }
        Set<String> wanted = new LinkedHashSet<>(granted);
        if (scope != null && !scope.isBlank()) {
            wanted.addAll(List.of(scope.strip().split("\\s+")));
        }
        if (config.grant() instanceof McpOAuth.AuthorizationCode && Json.contains(metadata.path("scopes_supported"),
                OFFLINE_ACCESS)) {
            wanted.add(OFFLINE_ACCESS); // SEP-2207: a refresh token, where the authorization server offers them
        }
        register(metadata);
        String resourceUri = resource != null && resource.has("resource")
                ? resource.path("resource").asString()
                : endpoint.toString();
        Server at = new Server(metadata, Objects.requireNonNullElse(Json.text(metadata, "issuer"), issuer
                .toString()), resourceUri);
        server = at;
        tokens = obtain(at, wanted);
        granted.addAll(wanted);
        return tokens.access();
    }

    /**
     * {@return the headers that present {@code token}: {@code Authorization: Bearer}, or for a token bound to the
     *         client's DPoP key {@code Authorization: DPoP} and a fresh proof in {@code DPoP}}
     *
     * @param method the HTTP method of the request to the MCP server
     * @param uri its URL
     */
    synchronized Map<String, String> present(Secret token, String method, URI uri) {
        Tokens held = tokens;
        DpopProofs proofs = dpop;
        if (proofs != null && held != null && held.bound() && held.access().equals(token)) {
            return Map.of("Authorization", "DPoP " + token.reveal(), "DPoP", proofs.proof(method, uri, token));
        }
        return Map.of("Authorization", "Bearer " + token.reveal());
    }

    /**
     * Takes a {@code use_dpop_nonce} challenge of the MCP server (RFC 9449 §9).
     *
     * @param challenge the {@code WWW-Authenticate} header, or null
     * @param nonce the {@code DPoP-Nonce} header, or null
     * @return whether it was one: then the request goes again with the nonce in its proof, the token unchanged
     */
    synchronized boolean nonceChallenge(URI uri, @Nullable String challenge, @Nullable String nonce) {
        DpopProofs proofs = dpop;
        if (proofs == null || nonce == null || !"use_dpop_nonce".equals(challenge(challenge).get("error"))) {
            return false;
        }
        proofs.nonce(uri, nonce);
        return true;
    }

    /**
     * Forgets the tokens and the registration of an authorization server the protected resource no longer names:
     * credentials are bound to the server that issued them. A client id configured by the host stays.
     */
    private void moved() {
        tokens = null;
        server = null;
        if (config.clientId() == null) {
            clientId = null;
            clientSecret = null;
            authMethod = null;
        }
    }

    /**
     * Refreshes the access token with the refresh token (RFC 6749 §6), keeping the new refresh token when the server
     * rotates it; forgets a refresh token the server refuses.
     *
     * @param afterRejection whether the MCP server refused the current token
     * @return whether there was a refresh token to use
     * @throws AuthenticationException if the server refused it
     */
    private boolean refresh(boolean afterRejection) {
        Tokens held = tokens;
        Server at = server;
        if (held == null || held.refresh() == null || at == null) {
            return false;
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "refresh_token");
        body.put("refresh_token", held.refresh().reveal());
        body.put("resource", at.resource());
        try {
            Tokens fresh = tokenRequest(at, body);
            tokens = new Tokens(fresh.access(), fresh.refresh() != null ? fresh.refresh() : held.refresh(), fresh
                    .refreshAt(), afterRejection, fresh.bound());
            return true;
        } catch (AuthenticationException e) {
            tokens = new Tokens(held.access(), null, held.refreshAt(), held.afterRejection(), held.bound());
            throw e;
        }
    }

    /** Runs the grant again where no user takes part (client credentials, cross-app access). */
    private void renewWithoutUser() {
        Server at = server;
        if (at != null && !(config.grant() instanceof McpOAuth.AuthorizationCode)) {
            tokens = obtain(at, granted);
        }
    }

    /** {@return tokens from the configured grant} */
    private Tokens obtain(Server at, Set<String> scopes) {
        return switch (config.grant()) {
            case McpOAuth.AuthorizationCode code -> authorizationCode(code, at, scopes);
            case McpOAuth.ClientCredentials cc -> tokenRequest(at, grant("client_credentials", scopes, at));
            case McpOAuth.JwtBearer jag -> {
                Map<String, String> body = grant(JWT_BEARER, scopes, at);
                body.put("assertion", identityAssertion(jag.idp(), at, scopes));
                yield tokenRequest(at, body);
            }
            case McpOAuth.WorkloadIdentity wif -> {
                Map<String, String> body = grant(JWT_BEARER, scopes, at);
                body.put("assertion", wif.assertion().get().reveal());
                yield tokenRequest(at, body);
            }
        };
    }

    private static Map<String, String> grant(String type, Set<String> scopes, Server at) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", type);
        if (!scopes.isEmpty()) {
            body.put("scope", String.join(" ", scopes));
        }
        body.put("resource", at.resource());
        return body;
    }

    /**
     * Trades the user's ID token for an ID-JAG at the identity provider (RFC 8693 token exchange, SEP-990): its
     * audience is the authorization server, its resource the MCP server.
     */
    private String identityAssertion(McpOAuth.CrossAppAccess idp, Server at, Set<String> scopes) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", TOKEN_EXCHANGE);
        body.put("requested_token_type", ID_JAG);
        body.put("audience", at.issuer());
        body.put("resource", at.resource());
        if (!scopes.isEmpty()) {
            body.put("scope", String.join(" ", scopes));
        }
        body.put("subject_token", idp.idToken().get().reveal());
        body.put("subject_token_type", ID_TOKEN);
        String basic = null;
        if (idp.clientSecret() != null) {
            basic = basic(idp.clientId(), idp.clientSecret());
        } else {
            body.put("client_id", idp.clientId());
        }
        JsonNode answer = post(idp.tokenEndpoint(), "application/x-www-form-urlencoded", form(body), basic);
        String assertion = Json.text(answer, "access_token");
        if (assertion == null || !ID_JAG.equals(Json.text(answer, "issued_token_type"))) {
            throw new AuthenticationException("the identity provider issued no ID-JAG", null);
        }
        return assertion;
    }

    private static Map<String, String> challenge(@Nullable String header) {
        Map<String, String> params = new LinkedHashMap<>();
        if (header == null) {
            return params;
        }
        Matcher m = PARAM.matcher(header);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2) != null ? m.group(2) : m.group(3));
        }
        return params;
    }

    /** {@return whether the metadata's resource is the endpoint or a parent of it, on the same origin} */
    private static boolean covers(String resource, URI endpoint) {
        try {
            URI r = URI.create(resource);
            String path = r.getRawPath() == null ? "" : r.getRawPath().replaceAll("/+$", "");
            String at = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
            return origin(r).equals(origin(endpoint)) && (at.equals(path) || at.startsWith(path + "/") || path
                    .isEmpty());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static URI origin(URI uri) {
        return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
    }

    private @Nullable JsonNode resourceMetadata(URI endpoint, @Nullable String fromChallenge) {
        List<URI> candidates = new ArrayList<>();
        if (fromChallenge != null) {
            candidates.add(endpoint.resolve(fromChallenge));
        }
        String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
        if (!path.isEmpty() && !path.equals("/")) {
            candidates.add(URI.create(origin(endpoint) + "/.well-known/oauth-protected-resource" + path));
        }
        candidates.add(URI.create(origin(endpoint) + "/.well-known/oauth-protected-resource"));
        for (URI uri : candidates) {
            JsonNode found = getJson(uri);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    /**
     * @param named whether the protected resource named {@code issuer}: then the metadata must name it too (RFC 8414
     *        §3.3); the 2025-03-26 fallback, the MCP server's origin, is no issuer anyone named
     */
    private JsonNode serverMetadata(URI issuer, boolean named) {
        String path = issuer.getRawPath() == null || issuer.getRawPath().equals("/") ? "" : issuer.getRawPath();
        String origin = origin(issuer).toString();
        List<String> candidates = path.isEmpty()
                ? List.of(origin + "/.well-known/oauth-authorization-server", origin
                        + "/.well-known/openid-configuration")
                : List.of(origin + "/.well-known/oauth-authorization-server" + path, origin
                        + "/.well-known/openid-configuration" + path,
                        origin + path
                                + "/.well-known/openid-configuration");
        for (String uri : candidates) {
            JsonNode found = getJson(URI.create(uri));
            if (found != null && found.has("token_endpoint")) {
                String issued = Json.text(found, "issuer");
                if (named && issued != null && !issued.equals(issuer.toString())) {
                    throw new AuthenticationException("the authorization server metadata names another issuer than"
                            + " the one it was asked for (RFC 8414 §3.3)", null);
                }
                return found;
            }
        }
        // 2025-03-26: no metadata; the endpoints sit at the server's root
        ObjectNode fallback = Json.object();
        fallback.put("authorization_endpoint", origin + "/authorize").put("token_endpoint", origin + "/token").put(
                "registration_endpoint", origin + "/register");
        return fallback;
    }

    private void register(JsonNode server) {
        if (clientId != null) {
            return;
        }
        if (config.clientId() != null) {
            clientId = config.clientId();
            clientSecret = config.clientSecret();
            authMethod = config.clientKey() != null
                    ? "private_key_jwt"
                    : clientSecret == null ? "none" : preferred(server);
            return;
        }
        if (config.clientMetadataUrl() != null && server.path("client_id_metadata_document_supported").asBoolean(
                false)) {
            clientId = config.clientMetadataUrl().toString();
            authMethod = "none";
            return;
        }
        String endpoint = Json.text(server, "registration_endpoint");
        if (endpoint == null || !(config.grant() instanceof McpOAuth.AuthorizationCode code)) {
            throw new AuthenticationException("the authorization server offers no dynamic registration and no "
                    + "client id is configured", null);
        }
        ObjectNode body = Json.object().put("client_name", config.clientName());
        body.putArray("redirect_uris").add(code.redirectUri().toString());
        body.putArray("grant_types").add("authorization_code").add("refresh_token");
        body.putArray("response_types").add("code");
        body.put("token_endpoint_auth_method", "none");
        body.put("application_type", applicationType(code.redirectUri()));
        JsonNode registered = post(URI.create(endpoint), "application/json", body.toString(), null);
        clientId = Json.text(registered, "client_id");
        if (clientId == null) {
            throw new AuthenticationException("the dynamic registration returned no client_id", null);
        }
        String secret = Json.text(registered, "client_secret");
        clientSecret = secret == null ? null : Secret.of(secret);
        String method = Json.text(registered, "token_endpoint_auth_method");
        authMethod = method != null ? method : clientSecret == null ? "none" : preferred(server);
    }

    /**
     * {@return the OpenID Connect {@code application_type} (SEP-837): {@code native} for a redirect to the device
     *         itself (a loopback host or an app's own scheme), {@code web} for a redirect to a web site}
     */
    static String applicationType(URI redirect) {
        String host = redirect.getHost() == null ? "" : redirect.getHost();
        boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host
                .equals("::1");
        return !"https".equalsIgnoreCase(redirect.getScheme()) && !"http".equalsIgnoreCase(redirect.getScheme())
                || loopback ? "native" : "web";
    }

    private static String preferred(JsonNode server) {
        JsonNode methods = server.path("token_endpoint_auth_methods_supported");
        for (String m : List.of("client_secret_basic", "client_secret_post")) {
            for (JsonNode each : methods) {
                if (m.equals(each.asString())) {
                    return m;
                }
            }
        }
        return "client_secret_basic";
    }

    private Tokens authorizationCode(McpOAuth.AuthorizationCode grant, Server at, Set<String> scopes) {
        String verifier = randomText(32);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(DpopProofs.sha256(verifier));
        String state = randomText(32);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", clientId);
        query.put("redirect_uri", grant.redirectUri().toString());
        query.put("code_challenge", challenge);
        query.put("code_challenge_method", "S256");
        query.put("state", state);
        query.put("resource", at.resource());
        if (!scopes.isEmpty()) {
            query.put("scope", String.join(" ", scopes));
        }
        String authorize = Json.required(at.metadata(), "authorization_endpoint");
        URI redirect = grant.authorizer().authorize(URI.create(authorize + (authorize.contains("?") ? "&" : "?")
                + form(query)));
        Map<String, String> back = parseQuery(redirect.getRawQuery());
        if (!state.equals(back.get("state"))) {
            throw new AuthenticationException("the authorization redirect carried the wrong state", null);
        }
        String iss = back.get("iss");
        if (iss != null
                ? !iss.equals(at.issuer())
                : at.metadata().path(
                        "authorization_response_iss_parameter_supported").asBoolean(false)) {
            throw new AuthenticationException(iss == null
                    ? "the authorization redirect lacks the iss its server promised (RFC 9207)"
                    : "the authorization redirect came from another issuer (RFC 9207)", null);
        }
        String code = back.get("code");
        if (code == null) {
            throw new AuthenticationException("the authorization was refused: " + errorCode(back.get("error")),
                    null);
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", grant.redirectUri().toString());
        body.put("code_verifier", verifier);
        body.put("resource", at.resource());
        return tokenRequest(at, body);
    }

    /** Authenticates the client as registered, posts {@code body} to the token endpoint and reads the tokens. */
    private Tokens tokenRequest(Server at, Map<String, String> body) {
        String authorization = null;
        if ("private_key_jwt".equals(authMethod) && config.clientKey() != null) {
            body.put("client_assertion_type", CLIENT_ASSERTION);
            body.put("client_assertion", clientAssertion(config.clientKey(), at.issuer()));
        } else if ("client_secret_basic".equals(authMethod) && clientSecret != null) {
            authorization = basic(clientId, clientSecret);
        } else {
            body.put("client_id", clientId);
            if ("client_secret_post".equals(authMethod) && clientSecret != null) {
                body.put("client_secret", clientSecret.reveal());
            }
        }
        if (dpop == null && Json.contains(at.metadata().path("dpop_signing_alg_values_supported"),
                DpopProofs.ALGORITHM)) {
            dpop = new DpopProofs(clock); // RFC 9449: the server binds tokens to a key where the client proves one
        }
        URI endpoint = URI.create(Json.required(at.metadata(), "token_endpoint"));
        JsonNode answer = post(endpoint, "application/x-www-form-urlencoded", form(body), authorization, dpop);
        String access = Json.text(answer, "access_token");
        if (access == null) {
            throw new AuthenticationException("the token endpoint returned no access_token", null);
        }
        String refresh = Json.text(answer, "refresh_token");
        Instant refreshAt = null;
        long lifetime = answer.path("expires_in").asLong(0);
        if (lifetime > 0) {
            Duration life = Duration.ofSeconds(lifetime);
            Duration ahead = REFRESH_AHEAD.compareTo(life.dividedBy(2)) < 0 ? REFRESH_AHEAD : life.dividedBy(2);
            refreshAt = clock.instant().plus(life).minus(ahead);
        }
        return new Tokens(Secret.of(access), refresh == null || refresh.isEmpty() ? null : Secret.of(refresh),
                refreshAt, false, dpop != null && "dpop".equalsIgnoreCase(Json.text(answer, "token_type")));
    }

    /** {@return a JWT that authenticates the client ({@code private_key_jwt}, RFC 7523 §2.2) to {@code audience}} */
    private String clientAssertion(McpOAuth.ClientKey key, String audience) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(clientId).subject(clientId).audience(audience)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ASSERTION_LIFETIME))).jwtID(randomText(
                        16))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(key.algorithm()).type(JOSEObjectType.JWT).keyID(key
                .keyId()).build(), claims);
        try {
            jwt.sign(key.signer());
        } catch (JOSEException e) {
            throw new AuthenticationException("the client assertion cannot be signed", null);
        }
        return jwt.serialize();
    }

    private static String basic(String id, Secret secret) {
        return "Basic " + Base64.getEncoder().encodeToString((enc(id) + ":" + enc(secret.reveal())).getBytes(
                StandardCharsets.UTF_8));
    }

    /** {@return an OAuth error code fit to show (RFC 6749 codes are short tokens), or {@code unknown}} */
    private static String errorCode(@Nullable String code) {
        return code != null && ERROR_CODE.matcher(code).matches() ? code : "unknown";
    }

    /** {@return {@code bytes} random bytes in unpadded base64url} */
    private String randomText(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String form(Map<String, String> values) {
        StringBuilder b = new StringBuilder();
        values.forEach((k, v) -> b.append(b.isEmpty() ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        return b.toString();
    }

    private static Map<String, String> parseQuery(@Nullable String query) {
        Map<String, String> values = new LinkedHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), URLDecoder.decode(pair
                            .substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return values;
    }

    private @Nullable JsonNode getJson(URI uri) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Accept", "application/json")
                    .header("MCP-Protocol-Version", "2025-11-25").GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            JsonNode node = Json.parse(r.body());
            return node.isObject() ? node : null;
        } catch (IOException | McpException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("OAuth discovery was interrupted", null, e);
        }
    }

    private JsonNode post(URI uri, String type, String body, @Nullable String authorization) {
        return post(uri, type, body, authorization, null);
    }

    /**
     * @param proofs signs a DPoP proof for the request, or null for none; a server that answers
     *        {@code use_dpop_nonce} gets the request once more with the nonce it gave (RFC 9449 §8)
     */
    private JsonNode post(URI uri, String type, String body, @Nullable String authorization,
            @Nullable DpopProofs proofs) {
        try {
            HttpResponse<String> r = null;
            for (int attempt = 0; attempt < 2; attempt++) {
                HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", type).header("Accept",
                        "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
                if (authorization != null) {
                    b.header("Authorization", authorization);
                }
                if (proofs != null) {
                    b.header("DPoP", proofs.proof("POST", uri, null));
                }
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                String nonce = r.headers().firstValue("DPoP-Nonce").orElse(null);
                if (proofs == null || nonce == null || r.statusCode() != 400 || !r.body().contains(
                        "use_dpop_nonce")) {
                    break;
                }
                proofs.nonce(uri, nonce);
            }
            if (r.statusCode() >= 500) {
                throw new UnavailableException("the authorization server answered " + r.statusCode() + " at " + uri
                        .getPath(), null, null);
            }
            if (r.statusCode() / 100 != 2) {
                String error = null;
                try {
                    error = Json.text(Json.parse(r.body()), "error");
                } catch (McpException | ClassCastException e) {
                    // no JSON error body
                }
                throw new AuthenticationException("the authorization server answered " + r.statusCode() + " ("
                        + errorCode(error) + ") at " + uri.getPath(), null);
            }
            return Json.parse(r.body());
        } catch (IOException e) {
            throw new UnavailableException("the authorization server cannot be reached", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("the token request was interrupted", null, e);
        }
    }
}
