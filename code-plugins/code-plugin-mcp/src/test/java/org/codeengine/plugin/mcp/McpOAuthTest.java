package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.codeengine.plugin.mcp.TestAuthorizationServer.CLIENT_ID;
import static org.codeengine.plugin.mcp.TestAuthorizationServer.CLIENT_SECRET;
import static org.codeengine.plugin.mcp.TestAuthorizationServer.IDP_CLIENT_ID;
import static org.codeengine.plugin.mcp.TestAuthorizationServer.ID_TOKEN;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.Secret;
import org.codeengine.plugin.mcp.TestAuthorizationServer.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client's OAuth grants, refresh tokens and scope step-up, and the server's scope challenge, against a real
 * authorization server ({@link TestAuthorizationServer}) and an {@link McpHttpServer} resource server, both on
 * 127.0.0.1, on a clock the test moves.
 */
class McpOAuthTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final ObjectNode OBJECT = JSON.createObjectNode().put("type", "object");
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final InstantSource clock = now::get;
    private final TestAuthorizationServer as = new TestAuthorizationServer(clock);
    private final HttpClient raw = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private McpHttpServer mcp;

    @AfterEach
    void stop() {
        if (mcp != null) {
            mcp.close();
        }
        as.close();
        raw.close();
    }

    /** Serves the tools {@code echo} and {@code write} on a resource server that trusts {@link #as}. */
    private void serve(List<String> scopes, McpHttpServer.ScopePolicy policy) throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        McpServer server = McpServer.builder().info("guarded", "1").tool(McpTool.of("echo", "Echoes", OBJECT, (
                args, ctx) -> McpToolResult.text("echo"))).tool(McpTool.of("write", "Writes", OBJECT, (args,
                        ctx) -> McpToolResult.text("written")))
                .build();
        mcp = server.startHttp(McpHttpServer.Options.loopback(port).withAuthorization(new McpHttpServer.Authorization(
                as.security(), URI.create("http://127.0.0.1:" + port + "/mcp"), List.of(as.issuer()), scopes,
                policy)));
    }

    private void serve() throws IOException {
        serve(List.of(), McpHttpServer.ScopePolicy.none());
    }

    private McpOAuth.Builder oauth() {
        return McpOAuth.builder().clock(clock);
    }

    /** The authorization code grant, approved without a person, by the pre-registered client. */
    private McpOAuth.Builder userApproved() {
        return oauth().authorizationCode(URI.create("http://127.0.0.1/callback"), McpOAuth.Authorizer.headless(raw))
                .clientId(CLIENT_ID).clientSecret(CLIENT_SECRET);
    }

    private static void call(McpClient client, String tool) {
        assertThat(client.callTool(tool, JSON.createObjectNode()).isError()).isFalse();
    }

    private static Map<String, String> claims(String jwt) throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(jwt).getJWTClaimsSet();
        return Map.of("iss", claims.getIssuer(), "sub", claims.getSubject(), "aud", String.join(" ", claims
                .getAudience()), "life", String.valueOf(
                        Duration.between(claims.getIssueTime().toInstant(), claims
                                .getExpirationTime().toInstant()).toSeconds()));
    }

    // ------------------------------------------------------------------ authorization response issuer (RFC 9207)

    @Test
    void authorizationCode_takesTheRedirect_whenItsIssIsTheIssuerItPromised() throws Exception {
        serve();
        as.advertiseIss = true;
        as.issParameter = as.issuer().toString();
        try (McpClient client = McpClient.builder().oauth(userApproved().build()).connect(mcp.endpoint())) {
            call(client, "echo");
        }
    }

    @Test
    void authorizationCode_refusesTheRedirect_whenItsIssNamesAnotherIssuer_evenUnpromised() throws Exception {
        serve();
        as.issParameter = as.issuer() + "/"; // compared as strings: no normalisation
        assertThatThrownBy(() -> McpClient.builder().oauth(userApproved().build()).connect(mcp.endpoint()))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("another issuer");
        assertThat(as.tokenRequests("authorization_code")).as("the code never reached the token endpoint")
                .isEmpty();
    }

    @Test
    void authorizationCode_refusesTheRedirect_whenThePromisedIssIsMissing() throws Exception {
        serve();
        as.advertiseIss = true;
        assertThatThrownBy(() -> McpClient.builder().oauth(userApproved().build()).connect(mcp.endpoint()))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("lacks the iss");
        assertThat(as.tokenRequests("authorization_code")).isEmpty();
    }

    @Test
    void applicationType_isNativeForRedirectsToTheDevice_andWebForWebSites() {
        assertThat(OAuthFlow.applicationType(URI.create("http://localhost:3000/callback"))).isEqualTo("native");
        assertThat(OAuthFlow.applicationType(URI.create("http://127.0.0.1/cb"))).isEqualTo("native");
        assertThat(OAuthFlow.applicationType(URI.create("com.example.app:/oauth"))).isEqualTo("native");
        assertThat(OAuthFlow.applicationType(URI.create("https://app.example.com/cb"))).isEqualTo("web");
    }

    // ------------------------------------------------------------------ grants

    @Test
    void clientCredentials_withClientSecretBasic_getsATokenForTheResource_withoutAUser() throws Exception {
        serve();
        try (McpClient client = McpClient.builder().oauth(oauth().clientCredentials().clientId(CLIENT_ID).clientSecret(
                CLIENT_SECRET).build()).connect(mcp.endpoint())) {
            call(client, "echo");
        }
        List<Request> grants = as.tokenRequests("client_credentials");
        assertThat(grants).hasSize(1);
        assertThat(grants.getFirst().authorization()).startsWith("Basic ");
        assertThat(grants.getFirst().form()).containsEntry("resource", mcp.endpoint().toString()).doesNotContainKeys(
                "client_secret", "client_assertion");
        assertThat(as.authorizations()).isEmpty();
    }

    @Test
    void clientCredentials_withPrivateKeyJwt_signsAShortLivedAssertionForTheIssuer() throws Exception {
        serve();
        McpOAuth config = oauth().clientCredentials().clientId(CLIENT_ID).privateKeyJwt(as.clientKey.getPrivate(),
                "ES256", "key-1").build();
        try (McpClient client = McpClient.builder().oauth(config).connect(mcp.endpoint())) {
            call(client, "echo");
        }
        Request grant = as.tokenRequests("client_credentials").getFirst();
        assertThat(grant.authorization()).isNull();
        assertThat(grant.form()).containsEntry("client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        String assertion = grant.form().get("client_assertion");
        assertThat(claims(assertion)).containsEntry("iss", CLIENT_ID).containsEntry("sub", CLIENT_ID).containsEntry(
                "aud", as.issuer().toString()).containsEntry("life", "60");
        assertThat(SignedJWT.parse(assertion).getHeader().getKeyID()).isEqualTo("key-1");
    }

    @Test
    void crossAppAccess_exchangesTheIdTokenForAnIdJag_thenPresentsItInTheJwtBearerGrant() throws Exception {
        serve();
        McpOAuth config = oauth().crossAppAccess(new McpOAuth.CrossAppAccess(as.idpTokenEndpoint(), IDP_CLIENT_ID,
                null, () -> ID_TOKEN)).clientId(CLIENT_ID).clientSecret(CLIENT_SECRET).build();
        try (McpClient client = McpClient.builder().oauth(config).connect(mcp.endpoint())) {
            call(client, "echo");
        }
        Request exchange = as.tokenRequests("urn:ietf:params:oauth:grant-type:token-exchange").getFirst();
        assertThat(exchange.path()).isEqualTo("/idp/token");
        assertThat(exchange.form()).containsEntry("audience", as.issuer().toString()).containsEntry("resource", mcp
                .endpoint().toString());
        Request bearer = as.tokenRequests("urn:ietf:params:oauth:grant-type:jwt-bearer").getFirst();
        assertThat(bearer.path()).isEqualTo("/token");
        assertThat(bearer.authorization()).startsWith("Basic ");
        assertThat(claims(bearer.form().get("assertion"))).containsEntry("aud", as.issuer().toString());
        assertThat(as.requests.indexOf(exchange)).isLessThan(as.requests.indexOf(bearer));
    }

    @Test
    void refusedClient_failsWithTheOAuthErrorCode_butNeverWhatTheServerEchoed() throws Exception {
        serve();
        McpOAuth config = oauth().clientCredentials().clientId(CLIENT_ID).clientSecret(Secret.of("wrong-secret"))
                .build();
        assertThatThrownBy(() -> McpClient.builder().oauth(config).connect(mcp.endpoint())).isInstanceOf(
                AuthenticationException.class).hasMessageContaining("invalid_client").satisfies(
                        e -> assertThat(e
                                .toString()).doesNotContain("wrong-secret").doesNotContain("refused"));
    }

    // ------------------------------------------------------------------ refresh tokens

    private void advance(Duration duration) {
        now.updateAndGet(t -> t.plus(duration));
    }

    /**
     * The user approves once; the client calls a tool, then twice more, each time 290 s later, with access tokens
     * that live 300 s.
     *
     * @return the refresh requests the authorization server got
     */
    private List<Request> refreshesOverTwoLifetimes() throws Exception {
        serve();
        as.lifetime = Duration.ofSeconds(300);
        try (McpClient client = McpClient.builder().oauth(userApproved().build()).connect(mcp.endpoint())) {
            call(client, "echo");
            advance(Duration.ofSeconds(290)); // still valid, but within 30 s of its end
            call(client, "echo");
            advance(Duration.ofSeconds(290));
            call(client, "echo");
        }
        assertThat(as.authorizations()).as("the user approved once").hasSize(1);
        return as.tokenRequests("refresh_token");
    }

    @Test
    void refreshToken_renewsTheAccessTokenBeforeItExpires_andTheRotatedOneIsUsedNext() throws Exception {
        List<Request> refreshes = refreshesOverTwoLifetimes();
        assertThat(refreshes).hasSize(2);
        assertThat(refreshes.get(0).form()).containsEntry("resource", mcp.endpoint().toString());
        assertThat(refreshes.get(1).form().get("refresh_token")).isNotEqualTo(refreshes.get(0).form().get(
                "refresh_token"));
    }

    @Test
    void refreshToken_isKept_whenTheServerDoesNotRotateIt() throws Exception {
        as.rotateRefreshTokens = false;
        List<Request> refreshes = refreshesOverTwoLifetimes();
        assertThat(refreshes).hasSize(2);
        assertThat(refreshes.get(1).form().get("refresh_token")).isEqualTo(refreshes.get(0).form().get(
                "refresh_token"));
    }

    /** The user approves once; the client calls a tool, the servers forget what {@code revoke} says, it calls again. */
    private void callAgainAfter(Runnable revoke) throws Exception {
        serve();
        try (McpClient client = McpClient.builder().oauth(userApproved().build()).connect(mcp.endpoint())) {
            call(client, "echo");
            revoke.run();
            call(client, "echo");
        }
        assertThat(as.tokenRequests("refresh_token")).hasSize(1);
    }

    @Test
    void refreshToken_renewsARejectedAccessToken_on401InvalidToken() throws Exception {
        callAgainAfter(as::revokeAccessTokens);
        assertThat(as.authorizations()).hasSize(1);
    }

    @Test
    void refusedRefreshToken_leadsToANewAuthorization() throws Exception {
        callAgainAfter(() -> {
            as.revokeAccessTokens();
            as.revokeRefreshTokens();
        });
        assertThat(as.authorizations()).hasSize(2);
    }

    @Test
    void clientCredentials_getsANewTokenBeforeTheOldExpires_withoutARefreshToken() throws Exception {
        serve();
        as.lifetime = Duration.ofSeconds(120);
        try (McpClient client = McpClient.builder().oauth(oauth().clientCredentials().clientId(CLIENT_ID).clientSecret(
                CLIENT_SECRET).build()).connect(mcp.endpoint())) {
            call(client, "echo");
            advance(Duration.ofSeconds(100));
            call(client, "echo");
        }
        assertThat(as.tokenRequests("client_credentials")).hasSize(2);
        assertThat(as.tokenRequests("refresh_token")).isEmpty();
    }

    // ------------------------------------------------------------------ scopes

    private HttpResponse<String> post(String token, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(mcp.endpoint()).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return raw.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String session(String token) throws Exception {
        HttpResponse<String> r = post(token, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
                + "\"version\":\"1\"}}}", Map.of());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.headers().firstValue("Mcp-Session-Id").orElseThrow();
    }

    private HttpResponse<String> callTool(String token, String session, String tool) throws Exception {
        return post(token, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":{}}}", Map.of("Mcp-Session-Id", session, "MCP-Protocol-Version", "2025-11-25"));
    }

    @Test
    void tokenWithoutTheToolsScope_gets403InsufficientScope_namingTheScopesHeldAndNeeded() throws Exception {
        serve(List.of("mcp:read"), McpHttpServer.ScopePolicy.forTools(Map.of("write", Set.of("mcp:write"))));
        String reader = as.accessToken("mcp:read");
        String session = session(reader);
        HttpResponse<String> refused = callTool(reader, session, "write");
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow()).isEqualTo(
                "Bearer error=\"insufficient_scope\", scope=\"mcp:read mcp:write\", resource_metadata=\""
                        + "http://127.0.0.1:" + mcp.port() + "/.well-known/oauth-protected-resource/mcp\", "
                        + "error_description=\"the request needs more scope\"");
        assertThat(callTool(reader, session, "echo").statusCode()).isEqualTo(200);
        String writer = as.accessToken("mcp:read mcp:write");
        assertThat(callTool(writer, session(writer), "write").statusCode()).isEqualTo(200);
    }

    @Test
    void grantedScopes_comeFromTheScopeOrScpClaim_andNoneFromAnOpaqueToken() {
        assertThat(StreamableHttp.grantedScopes(as.accessToken("a b"))).containsExactly("a", "b");
        String scp = "e30." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"scp\":[\"x\",\"y\"]}".getBytes(java.nio.charset.StandardCharsets.UTF_8)) + ".s";
        assertThat(StreamableHttp.grantedScopes(scp)).containsExactly("x", "y");
        assertThat(StreamableHttp.grantedScopes("opaque-session-token")).isEmpty();
        assertThat(StreamableHttp.grantedScopes("a.!!.c")).isEmpty();
    }

    @Test
    void client_stepsUpToTheScopeTheServerNames_onInsufficientScope() throws Exception {
        serve(List.of("mcp:read"), McpHttpServer.ScopePolicy.forTools(Map.of("write", Set.of("mcp:write"))));
        try (McpClient client = McpClient.builder().oauth(oauth().clientCredentials().clientId(CLIENT_ID).clientSecret(
                CLIENT_SECRET).build()).connect(mcp.endpoint())) {
            call(client, "echo");
            call(client, "write");
        }
        List<Request> grants = as.tokenRequests("client_credentials");
        assertThat(grants).extracting(r -> r.form().get("scope")).containsExactly("mcp:read", "mcp:read mcp:write");
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void builder_refusesAConfigurationThatCannotWork() throws Exception {
        assertThatThrownBy(() -> McpOAuth.builder().build()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("choose a grant");
        assertThatThrownBy(() -> McpOAuth.builder().clientCredentials().clientSecret(CLIENT_SECRET).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("clientId");
        assertThatThrownBy(() -> McpOAuth.builder().clientCredentials().clientCredentials()).isInstanceOf(
                IllegalStateException.class);
        assertThatThrownBy(() -> McpOAuth.builder().clientCredentials().clientId(CLIENT_ID).clientSecret(
                CLIENT_SECRET).privateKeyJwt(as.clientKey.getPrivate(), "ES256").build()).isInstanceOf(
                        IllegalStateException.class);
        assertThatThrownBy(() -> McpOAuth.builder().privateKeyJwt(as.clientKey.getPrivate(), "RS256")).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("RS256");
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        assertThat(McpOAuth.builder().clientCredentials().clientId(CLIENT_ID).privateKeyJwt(rsa.generateKeyPair()
                .getPrivate(), "PS256").build().toString()).contains("PS256");
    }

    @Test
    void toString_namesTheGrant_butNeverTheSecretsOrTheKey() {
        String basic = oauth().clientCredentials().clientId(CLIENT_ID).clientSecret(CLIENT_SECRET).build()
                .toString();
        assertThat(basic).contains("client_credentials", CLIENT_ID).doesNotContain(CLIENT_SECRET.reveal());
        McpOAuth.CrossAppAccess idp = new McpOAuth.CrossAppAccess(as.idpTokenEndpoint(), IDP_CLIENT_ID, Secret.of(
                "idp-secret"), () -> ID_TOKEN);
        String jag = oauth().crossAppAccess(idp).clientId(CLIENT_ID).privateKeyJwt(as.clientKey.getPrivate(),
                "ES256").build().toString();
        assertThat(jag + idp).contains("cross-app access", "ES256").doesNotContain("idp-secret", ID_TOKEN.reveal(),
                "MIG");
    }
}
