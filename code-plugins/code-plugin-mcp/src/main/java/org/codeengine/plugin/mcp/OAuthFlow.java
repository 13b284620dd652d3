package org.codeengine.plugin.mcp;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.plugin.mcp.internal.Json;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The OAuth 2.1 client side of MCP authorization, run when the server answers 401 or 403. Thread-safe. */
final class OAuthFlow {
    private static final Pattern PARAM = Pattern.compile("([A-Za-z_]+)\\s*=\\s*(?:\"([^\"]*)\"|([^,\\s]+))");
    private static final int MAX_STEP_UPS = 2;
    private final McpOAuth config;
    private final HttpClient http;
    private final SecureRandom random = new SecureRandom();
    private @Nullable Secret token;
    private @Nullable String clientId;
    private @Nullable Secret clientSecret;
    private @Nullable String authMethod;
    private final Set<String> granted = new LinkedHashSet<>();
    private int stepUps;

    OAuthFlow(McpOAuth config, HttpClient http) {
        this.config = config;
        this.http = http;
    }

    synchronized Optional<Secret> token() {
        return Optional.ofNullable(token);
    }

    /**
     * Gets a new token after a 401 or 403 from the MCP endpoint.
     *
     * @return the token to retry with
     * @throws AuthenticationException if no token can be had, or the server asked for more scope too often
     */
    synchronized Secret authorize(URI endpoint, int status, @Nullable String challenge) {
        Map<String, String> params = challenge(challenge);
        if (status == 403) {
            if (!"insufficient_scope".equals(params.get("error")) || ++stepUps > MAX_STEP_UPS) {
                throw new AuthenticationException("the server refused the token (403) and more scope did not help",
                        null);
            }
        }
        JsonNode resource = resourceMetadata(endpoint, params.get("resource_metadata"));
        if (resource != null && resource.has("resource") && !covers(resource.path("resource").asString(""),
                endpoint)) {
            throw new AuthenticationException("the protected-resource metadata names another resource than "
                    + endpoint, null);
        }
        URI issuer = resource != null && resource.path("authorization_servers").isArray() && !resource.path(
                "authorization_servers").isEmpty()
                        ? URI.create(resource.path("authorization_servers").get(0).asString())
                        : origin(endpoint);
        JsonNode server = serverMetadata(issuer);
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
        register(server);
        String resourceUri = resource != null && resource.has("resource")
                ? resource.path("resource").asString()
                : endpoint.toString();
        token = exchange(server, wanted, resourceUri);
        granted.addAll(wanted);
        return token;
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

    /** @return whether the metadata's resource is the endpoint or a parent of it, on the same origin */
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

    private JsonNode serverMetadata(URI issuer) {
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
            authMethod = clientSecret == null ? "none" : preferred(server);
            return;
        }
        if (config.clientMetadataUrl() != null && server.path("client_id_metadata_document_supported").asBoolean(
                false)) {
            clientId = config.clientMetadataUrl().toString();
            authMethod = "none";
            return;
        }
        String endpoint = Json.text(server, "registration_endpoint");
        if (endpoint == null) {
            throw new AuthenticationException("the authorization server offers no dynamic registration and no "
                    + "client id is configured", null);
        }
        ObjectNode body = Json.object().put("client_name", config.clientName());
        body.putArray("redirect_uris").add(config.redirectUri().toString());
        body.putArray("grant_types").add("authorization_code").add("refresh_token");
        body.putArray("response_types").add("code");
        body.put("token_endpoint_auth_method", "none");
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

    private Secret exchange(JsonNode server, Set<String> scopes, String resource) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String verifier = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        String challenge = Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(verifier));
        random.nextBytes(bytes);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", clientId);
        query.put("redirect_uri", config.redirectUri().toString());
        query.put("code_challenge", challenge);
        query.put("code_challenge_method", "S256");
        query.put("state", state);
        query.put("resource", resource);
        if (!scopes.isEmpty()) {
            query.put("scope", String.join(" ", scopes));
        }
        String authorize = Json.required(server, "authorization_endpoint");
        URI redirect = config.authorizer().authorize(URI.create(authorize + (authorize.contains("?") ? "&" : "?")
                + form(query)));
        Map<String, String> back = parseQuery(redirect.getRawQuery());
        if (!state.equals(back.get("state"))) {
            throw new AuthenticationException("the authorization redirect carried the wrong state", null);
        }
        String code = back.get("code");
        if (code == null) {
            throw new AuthenticationException("the authorization was refused: " + back.getOrDefault("error",
                    "no code"), null);
        }
        Map<String, String> body = new LinkedHashMap<>();
        body.put("grant_type", "authorization_code");
        body.put("code", code);
        body.put("redirect_uri", config.redirectUri().toString());
        body.put("code_verifier", verifier);
        body.put("resource", resource);
        String basic = null;
        if ("client_secret_basic".equals(authMethod) && clientSecret != null) {
            basic = "Basic " + Base64.getEncoder().encodeToString((enc(clientId) + ":" + enc(clientSecret.reveal()))
                    .getBytes(StandardCharsets.UTF_8));
        } else {
            body.put("client_id", clientId);
            if ("client_secret_post".equals(authMethod) && clientSecret != null) {
                body.put("client_secret", clientSecret.reveal());
            }
        }
        JsonNode answer = post(URI.create(Json.required(server, "token_endpoint")),
                "application/x-www-form-urlencoded", form(body), basic);
        String access = Json.text(answer, "access_token");
        if (access == null) {
            throw new AuthenticationException("the token endpoint returned no access_token", null);
        }
        return Secret.of(access);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", type).header("Accept",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new AuthenticationException("the authorization server answered " + r.statusCode() + " at "
                        + uri.getPath(), null);
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
