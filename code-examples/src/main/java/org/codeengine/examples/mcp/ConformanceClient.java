package org.codeengine.examples.mcp;

import java.net.URI;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.Secret;
import org.codeengine.plugin.mcp.McpClient;
import org.codeengine.plugin.mcp.McpException;
import org.codeengine.plugin.mcp.McpOAuth;
import org.codeengine.plugin.mcp.McpToolResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client command the MCP conformance suite runs, built only on the public {@link McpClient} API: it connects to
 * the URL given as its last argument (getting an OAuth token when the server asks for one), lists the tools and calls
 * each with arguments made from its input schema (or makes the calls the scenario's context lists), then disconnects;
 * a call the server refuses is logged, not a failure. The client speaks whichever revision the server does: the
 * stateless 2026-07-28 one where it answers {@code server/discover}, else the handshake revisions. The scenario's
 * name is in {@code MCP_CONFORMANCE_SCENARIO}; scenario data such as pre-registered credentials in
 * {@code MCP_CONFORMANCE_CONTEXT}.
 */
public final class ConformanceClient {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The client ID metadata document URL the suite's authorization servers expect. */
    private static final URI CLIENT_METADATA = URI.create("https://conformance-test.local/client-metadata.json");
    /** The tool of the JSON Schema scenario that takes back the schema the client saw. */
    private static final String ECHO = "json_schema_echo";

    private ConformanceClient() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: ConformanceClient [options] SERVER_URL");
            System.exit(2);
        }
        String scenario = System.getenv().getOrDefault("MCP_CONFORMANCE_SCENARIO", "");
        JsonNode context = JSON.readTree(System.getenv().getOrDefault("MCP_CONFORMANCE_CONTEXT", "{}"));
        try {
            run(URI.create(args[args.length - 1]), scenario, context);
        } catch (RuntimeException e) {
            System.err.println("scenario " + scenario + " failed: " + e);
            System.exit(1);
        }
    }

    static void run(URI url, String scenario, JsonNode context) {
        McpClient.Builder builder = McpClient.builder().info("code-conformance-client", "0.1.0").sampling(
                params -> JSON.readTree("{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":"
                        + "\"A sampled answer\"},\"model\":\"code-test\",\"stopReason\":\"endTurn\"}"))
                .elicitation((
                        message, schema) -> JSON.readTree("{\"action\":\"accept\",\"content\":{}}"));
        if (scenario.startsWith("auth/")) {
            builder.oauth(oauth(scenario, context));
        }
        try (McpClient client = builder.connect(url)) {
            List<JsonNode> tools = client.listTools();
            if (context.path("toolCalls").isArray()) { // the scenario names the calls and their arguments
                for (JsonNode call : context.path("toolCalls")) {
                    report(call.path("name").asString(), client.callTool(call.path("name").asString(), call.path(
                            "arguments")));
                }
                return;
            }
            for (JsonNode tool : tools) {
                String name = tool.path("name").asString();
                try {
                    report(name, client.callTool(name, arguments(tool, tools)));
                } catch (McpException e) { // the server's answer: the client did its part
                    System.err.println(name + " -> refused: " + e.getMessage());
                }
            }
        }
    }

    private static void report(String tool, McpToolResult result) {
        System.err.println(tool + " -> " + (result.isError() ? "error" : "ok"));
    }

    /**
     * {@return the arguments to call {@code tool} with: for the echo tool of the JSON Schema scenario, the input schema
     *         of the tool it names, as it was listed; else {@link #sample}}
     */
    static ObjectNode arguments(JsonNode tool, List<JsonNode> tools) {
        if (ECHO.equals(tool.path("name").asString())) {
            for (JsonNode other : tools) {
                if (!ECHO.equals(other.path("name").asString()) && other.path("inputSchema").isObject()) {
                    ObjectNode args = JSON.createObjectNode();
                    args.set("schema", other.path("inputSchema"));
                    return args;
                }
            }
        }
        return sample(tool.path("inputSchema"));
    }

    /**
     * {@return the OAuth configuration for an auth scenario: the client credentials grant (with a private key JWT or
     *         the client secret), workload identity or enterprise-managed (cross-app) access where the scenario is
     *         about them, else the authorization code
     *         grant, approved headlessly, with the pre-registered credentials the scenario gives, if any}
     */
    static McpOAuth oauth(String scenario, JsonNode context) {
        McpOAuth.Builder oauth = McpOAuth.builder().clientName("code-conformance-client");
        text(context, "client_id").ifPresent(oauth::clientId);
        switch (scenario) {
            case "auth/client-credentials-jwt" -> oauth.clientCredentials().privateKeyJwt(privateKey(text(context,
                    "private_key_pem").orElseThrow()), text(context, "signing_algorithm").orElse("ES256"));
            case "auth/client-credentials-basic" -> oauth.clientCredentials();
            case "auth/wif-jwt-bearer" -> {
                Secret jwt = Secret.of(text(context, "valid_jwt").orElseThrow());
                oauth.workloadIdentity(() -> jwt);
            }
            case "auth/cross-app-access-complete-flow", "auth/enterprise-managed-authorization" -> {
                Secret idToken = Secret.of(text(context, "idp_id_token").orElseThrow());
                oauth.crossAppAccess(new McpOAuth.CrossAppAccess(URI.create(text(context, "idp_token_endpoint")
                        .orElseThrow()), text(context, "idp_client_id").orElseThrow(), null, () -> idToken));
            }
            default -> oauth.authorizationCode(URI.create("http://localhost:3000/callback"), McpOAuth.Authorizer
                    .headless(HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()))
                    .clientMetadataUrl(CLIENT_METADATA);
        }
        text(context, "client_secret").map(Secret::of).ifPresent(oauth::clientSecret);
        return oauth.build();
    }

    private static Optional<String> text(JsonNode context, String field) {
        return context.path(field).isString() ? Optional.of(context.path(field).asString()) : Optional.empty();
    }

    /** {@return the key of a PKCS #8 PEM ({@code BEGIN PRIVATE KEY}), EC or RSA} */
    static PrivateKey privateKey(String pem) {
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        for (String algorithm : List.of("EC", "RSA")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next kind
            }
        }
        throw new IllegalArgumentException("private_key_pem is not a PKCS #8 EC or RSA key");
    }

    /** {@return arguments that satisfy a simple object schema: 1 for numbers, "test" for strings, true for booleans} */
    static ObjectNode sample(JsonNode schema) {
        ObjectNode args = JSON.createObjectNode();
        for (Map.Entry<String, JsonNode> p : schema.path("properties").properties()) {
            switch (p.getValue().path("type").asString("")) {
                case "number", "integer" -> args.put(p.getKey(), 1);
                case "boolean" -> args.put(p.getKey(), true);
                case "string" -> args.put(p.getKey(), "test");
                default -> {
                    // other properties are left out
                }
            }
        }
        return args;
    }
}
