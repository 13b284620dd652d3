package org.codeengine.plugin.mcp;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.codeengine.api.Secret;

import org.codeengine.api.security.Principal;
import org.codeengine.api.security.SecurityFacade;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * An OAuth 2.1 authorization server on 127.0.0.1 for the client's tests, with an identity provider beside it for
 * cross-app access. It knows one confidential client ({@link #CLIENT_ID}, by secret or by EC key), issues access
 * tokens shaped as JWTs whose payload carries {@code scope}, refresh tokens it rotates (a spent one is refused), and
 * records each token request. {@link #security()} is the MCP server's view of its tokens: valid while issued, not
 * revoked and not expired by the shared clock.
 */
final class TestAuthorizationServer implements AutoCloseable {
    static final String CLIENT_ID = "tool-client";
    static final Secret CLIENT_SECRET = Secret.of("s3cr3t-value");
    static final String IDP_CLIENT_ID = "idp-client";
    static final Secret ID_TOKEN = Secret.of("user-id-token");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * @param path the endpoint's path
     * @param form the form fields
     * @param authorization the Authorization header, or null
     */
    record Request(String path, Map<String, String> form, @Nullable String authorization) {
        String grant() {
            return form.getOrDefault("grant_type", "");
        }
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    final KeyPair clientKey = ecKeys();
    private final KeyPair idpKey = ecKeys();
    private final HttpServer http;
    private final InstantSource clock;
    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    private final Set<String> refreshTokens = ConcurrentHashMap.newKeySet();
    private final Map<String, String> codes = new ConcurrentHashMap<>();
    private final AtomicInteger serial = new AtomicInteger();
    volatile Duration lifetime = Duration.ofHours(1);
    volatile boolean issueRefreshTokens = true;
    /** Whether a refresh spends the refresh token and issues a new one (rotation), or keeps it. */
    volatile boolean rotateRefreshTokens = true;
    /** Whether the metadata promises {@code iss} in authorization responses (RFC 9207). */
    volatile boolean advertiseIss;
    /** The {@code iss} the authorization redirect carries, or null for none. */
    volatile @Nullable String issParameter;

    TestAuthorizationServer(InstantSource clock) {
        this.clock = clock;
        try {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/", this::exchange);
        http.start();
    }

    URI issuer() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    URI idpTokenEndpoint() {
        return issuer().resolve("/idp/token");
    }

    List<Request> tokenRequests(String grant) {
        return requests.stream().filter(r -> r.grant().equals(grant)).toList();
    }

    /** {@return the authorization requests (the user's visits to the authorization endpoint)} */
    List<Request> authorizations() {
        return requests.stream().filter(r -> r.path().equals("/authorize")).toList();
    }

    /** Makes every access token issued so far invalid, as a server that restarted would. */
    void revokeAccessTokens() {
        accessTokens.clear();
    }

    void revokeRefreshTokens() {
        refreshTokens.clear();
    }

    /** {@return the MCP server's security: it accepts the tokens this server issued, while they last} */
    SecurityFacade security() {
        return new BearerSecurity(token -> {
            Instant expiresAt = accessTokens.get(token);
            return expiresAt != null && clock.instant().isBefore(expiresAt)
                    ? new Principal(CLIENT_ID, Principal.Kind.SERVICE, Set.of())
                    : null;
        });
    }

    /** {@return an access token this server issued with {@code scope} (space-separated), for requests made by hand} */
    String accessToken(String scope) {
        String payload = JSON.createObjectNode().put("scope", scope).put("jti", serial.incrementAndGet()).toString();
        String token = "eyJhbGciOiJub25lIn0." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload
                .getBytes(StandardCharsets.UTF_8)) + ".sig";
        accessTokens.put(token, clock.instant().plus(lifetime));
        return token;
    }

    @Override
    public void close() {
        http.stop(0);
    }

    private void exchange(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (path.equals("/.well-known/oauth-authorization-server")) {
                ObjectNode metadata = JSON.createObjectNode().put("issuer", issuer().toString()).put(
                        "authorization_endpoint", issuer() + "/authorize").put("token_endpoint", issuer() + "/token");
                metadata.putArray("token_endpoint_auth_methods_supported").add("client_secret_basic").add(
                        "private_key_jwt");
                metadata.putArray("grant_types_supported").add("authorization_code").add("refresh_token").add(
                        "client_credentials").add("urn:ietf:params:oauth:grant-type:jwt-bearer");
                metadata.put("authorization_response_iss_parameter_supported", advertiseIss);
                reply(ex, 200, metadata.toString());
            } else if (path.equals("/authorize")) {
                authorize(ex);
            } else if (ex.getRequestMethod().equals("POST") && (path.equals("/token") || path.equals(
                    "/idp/token"))) {
                Map<String, String> form = parse(new String(ex.getRequestBody().readAllBytes(),
                        StandardCharsets.UTF_8));
                Request request = new Request(path, form, ex.getRequestHeaders().getFirst("Authorization"));
                requests.add(request);
                String answer = path.equals("/idp/token") ? idp(request) : token(request);
                reply(ex, answer.contains("\"error\"") ? 400 : 200, answer);
            } else {
                reply(ex, 404, "{}");
            }
        }
    }

    private void authorize(HttpExchange ex) throws IOException {
        Map<String, String> query = parse(ex.getRequestURI().getRawQuery());
        requests.add(new Request("/authorize", query, null));
        String code = "code-" + serial.incrementAndGet();
        codes.put(code, query.getOrDefault("scope", ""));
        String iss = issParameter;
        ex.getResponseHeaders().set("Location", query.get("redirect_uri") + "?code=" + code + "&state=" + enc(query
                .get("state")) + (iss == null ? "" : "&iss=" + enc(iss)));
        ex.sendResponseHeaders(302, -1);
    }

    private String token(Request r) {
        if (!clientAuthenticated(r)) {
            return JSON.createObjectNode().put("error", "invalid_client").put("error_description", "refused "
                    + r.authorization()).toString();
        }
        String scope = r.form().getOrDefault("scope", "");
        switch (r.grant()) {
            case "authorization_code" -> {
                String granted = codes.remove(r.form().getOrDefault("code", ""));
                if (granted == null) {
                    return "{\"error\":\"invalid_grant\"}";
                }
                scope = granted;
            }
            case "refresh_token" -> {
                String presented = r.form().getOrDefault("refresh_token", "");
                if (rotateRefreshTokens ? !refreshTokens.remove(presented) : !refreshTokens.contains(presented)) {
                    return "{\"error\":\"invalid_grant\"}";
                }
                scope = presented.substring(presented.indexOf('|') + 1);
            }
            case "client_credentials" -> {
                // the client itself is the grant
            }
            case "urn:ietf:params:oauth:grant-type:jwt-bearer" -> {
                if (!verified(r.form().get("assertion"), idpKey, "oauth-id-jag+jwt")) {
                    return "{\"error\":\"invalid_grant\"}";
                }
            }
            default -> {
                return "{\"error\":\"unsupported_grant_type\"}";
            }
        }
        ObjectNode answer = JSON.createObjectNode().put("access_token", accessToken(scope)).put("token_type",
                "Bearer").put("expires_in", lifetime.toSeconds()).put("scope", scope);
        boolean keep = r.grant().equals("refresh_token") && !rotateRefreshTokens;
        if (issueRefreshTokens && !keep && !r.grant().equals("client_credentials")) {
            String refresh = "rt-" + serial.incrementAndGet() + "|" + scope;
            refreshTokens.add(refresh);
            answer.put("refresh_token", refresh);
        }
        return answer.toString();
    }

    private boolean clientAuthenticated(Request r) {
        String assertion = r.form().get("client_assertion");
        if (assertion != null) {
            return "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".equals(r.form().get(
                    "client_assertion_type")) && verified(assertion, clientKey, null);
        }
        String expected = "Basic " + Base64.getEncoder().encodeToString((CLIENT_ID + ":" + CLIENT_SECRET.reveal())
                .getBytes(StandardCharsets.UTF_8));
        return expected.equals(r.authorization());
    }

    /** {@return whether {@code jwt} is signed by {@code keys}, names this client, is for this issuer and is fresh} */
    private boolean verified(@Nullable String jwt, KeyPair keys, @Nullable String type) {
        try {
            SignedJWT parsed = SignedJWT.parse(jwt);
            JWTClaimsSet claims = parsed.getJWTClaimsSet();
            boolean typed = type == null || parsed.getHeader().getType() != null && type.equals(parsed.getHeader()
                    .getType().getType());
            boolean client = type == null
                    ? CLIENT_ID.equals(claims.getIssuer()) && CLIENT_ID.equals(claims.getSubject())
                    : CLIENT_ID.equals(claims.getStringClaim("client_id"));
            return parsed.verify(new ECDSAVerifier((ECPublicKey) keys.getPublic())) && typed && client && claims
                    .getAudience().equals(List.of(issuer().toString())) && claims.getExpirationTime() != null && clock
                            .instant().isBefore(claims.getExpirationTime().toInstant())
                    && claims.getJWTID() != null;
        } catch (ParseException | JOSEException | NullPointerException e) {
            return false;
        }
    }

    /** The identity provider's token exchange: the user's ID token for an ID-JAG naming the client and resource. */
    private String idp(Request r) {
        Map<String, String> f = r.form();
        if (!"urn:ietf:params:oauth:grant-type:token-exchange".equals(r.grant()) || !ID_TOKEN.reveal().equals(f.get(
                "subject_token")) || !"urn:ietf:params:oauth:token-type:id_token".equals(f.get("subject_token_type"))
                || !"urn:ietf:params:oauth:token-type:id-jag".equals(f.get("requested_token_type")) || !issuer()
                        .toString().equals(f.get("audience"))
                || f.get("resource") == null || !IDP_CLIENT_ID.equals(f
                        .get("client_id"))) {
            return "{\"error\":\"invalid_request\"}";
        }
        Instant now = clock.instant();
        SignedJWT jag = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType(
                "oauth-id-jag+jwt")).build(), new JWTClaimsSet.Builder().issuer(issuer() + "/idp").subject("user-1")
                        .audience(f.get("audience")).claim("client_id", CLIENT_ID).claim("resource", f.get(
                                "resource"))
                        .jwtID("jag-" + serial.incrementAndGet()).issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(300))).build());
        try {
            jag.sign(new ECDSASigner((ECPrivateKey) idpKey.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return JSON.createObjectNode().put("access_token", jag.serialize()).put("issued_token_type",
                "urn:ietf:params:oauth:token-type:id-jag").put("token_type", "N_A").toString();
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static Map<String, String> parse(@Nullable String form) {
        Map<String, String> values = new LinkedHashMap<>();
        if (form != null && !form.isEmpty()) {
            for (String pair : form.split("&")) {
                int eq = pair.indexOf('=');
                values.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8), eq < 0
                        ? ""
                        : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static String enc(@Nullable String value) {
        return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
    }
}
