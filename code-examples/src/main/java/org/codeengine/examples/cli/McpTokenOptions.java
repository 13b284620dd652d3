package org.codeengine.examples.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.mcp.McpHttpServer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * {@code --require-token} and what goes with it: {@code code mcp serve --http} as an OAuth 2.1 resource server. Each
 * request then needs {@code Authorization: Bearer} with a JWT access token of the accepted issuer whose audience is
 * this endpoint, or an API key of {@code code keys create}; it acts as the token's subject with the token's roles, so
 * each tool call is checked against that caller's {@code tool:call:<name>}. Requests without one get 401 with
 * {@code WWW-Authenticate} pointing at the protected-resource metadata (RFC 9728).
 */
final class McpTokenOptions {
    @Option(names = "--require-token", description = "HTTP: serve only requests with 'Authorization: Bearer TOKEN', "
            + "a JWT access token of --token-issuer for --resource signed by a key of --token-jwks, or an API key "
            + "(code keys create). Each request acts as the token's subject with its roles (the JWT's roles claim), "
            + "so tool:call:<name> is checked per caller.")
    boolean required;

    @Option(names = "--resource", paramLabel = "URL", description = "With --require-token: the endpoint's URL as "
            + "clients see it, which tokens must name as their audience (default: http://127.0.0.1:PORT/mcp).")
    @Nullable
    String resource;

    @Option(names = "--token-issuer", paramLabel = "URL", description = "With --require-token: the authorization "
            + "server whose tokens are accepted, exactly as their iss claim names it; listed in the metadata.")
    @Nullable
    String issuer;

    @Option(names = "--token-jwks", paramLabel = "FILE", description = "With --require-token: the issuer's signing "
            + "keys, a JWK Set file (its jwks_uri document): RSA (RS*, PS*) or EC P-256/384/521 (ES*).")
    @Nullable
    Path jwks;

    private @Nullable List<JwkSet.Key> keys;
    private @Nullable URI endpoint;

    /**
     * Checks the combination and reads the keys; before the engine opens.
     *
     * @param http whether the server serves HTTP (not stdio)
     * @param port the {@code --port}
     * @throws CliException naming the option and the rule it breaks
     */
    void check(boolean http, int port) {
        if (!required) {
            String stray = resource != null
                    ? "--resource"
                    : issuer != null ? "--token-issuer" : jwks != null ? "--token-jwks" : null;
            if (stray != null) {
                throw CliException.usage(stray + " goes with --require-token", "add --require-token, or leave "
                        + stray + " out");
            }
            return;
        }
        if (!http) {
            throw CliException.usage("--require-token guards the HTTP face: it needs --http, not --stdio",
                    "a stdio server serves only the client that started it");
        }
        if (issuer == null) {
            throw CliException.usage("--require-token needs --token-issuer: the authorization server whose tokens "
                    + "are accepted", "e.g. --token-issuer https://auth.example.com");
        }
        url(issuer, "--token-issuer");
        if (jwks == null) {
            throw CliException.usage("--require-token needs --token-jwks: the issuer's signing keys",
                    "save the issuer's jwks_uri document to a file and name it");
        }
        if (resource == null && port == 0) {
            throw CliException.usage("--require-token with --port 0 needs --resource: tokens must name the "
                    + "endpoint's URL as their audience, which is not known before the port is",
                    "give --port N, "
                            + "or --resource URL");
        }
        endpoint = resource != null ? url(resource, "--resource") : URI.create("http://127.0.0.1:" + port + "/mcp");
        keys = JwkSet.read(jwks, "--token-jwks");
    }

    /** {@return the URL as a URI, if it is an absolute http(s) URL with a host and without a fragment} */
    private static URI url(String text, String option) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        String scheme = uri == null || uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri == null || !(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null || uri
                .getRawFragment() != null) {
            throw CliException.usage(option + " must be an absolute http(s) URL with a host and without a fragment, "
                    + "not '" + text + "'", "e.g. " + option + " https://auth.example.com");
        }
        return uri;
    }

    /** Makes the engine verify the issuer's tokens for this endpoint; does nothing without {@code --require-token}. */
    void configure(CodeEngine.Builder builder) {
        if (keys == null || endpoint == null || issuer == null) {
            return;
        }
        builder.jwtIssuer(issuer, endpoint.toString());
        keys.forEach(k -> builder.jwtKey(k.id(), k.algorithm(), k.key(), null));
    }

    /**
     * @param options the server's options so far
     * @param security the engine's security, which verifies the tokens
     * @return the options requiring tokens, and accepting the endpoint's host besides the loopback names; unchanged
     *         without {@code --require-token}
     */
    McpHttpServer.Options apply(McpHttpServer.Options options, SecurityFacade security) {
        if (endpoint == null || issuer == null) {
            return options;
        }
        return options.withAllowedHosts(java.util.Set.of(endpoint.getHost())).withAuthorization(
                new McpHttpServer.Authorization(BearerCredentials.acceptingApiKeys(security), endpoint, List.of(URI
                        .create(issuer)), List.of()));
    }

    /** {@return a few words for the start-up line: whose tokens are required, or that none are} */
    String describe() {
        return endpoint == null
                ? "no token required"
                : "tokens of " + issuer + " for " + endpoint + " or API keys required";
    }
}
