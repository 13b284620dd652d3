package org.codeengine.plugin.mcp;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link McpClient} gets OAuth 2.1 access tokens when a server answers 401: it discovers the protected-resource
 * metadata (RFC 9728) and the authorization server's metadata (RFC 8414 or OpenID discovery, or the 2025-03-26
 * fallbacks), registers (pre-registered credentials, a client ID metadata document, or dynamic registration), runs the
 * authorization code flow with PKCE (S256) and the {@code resource} parameter, and asks for more scope when a server
 * answers 403 {@code insufficient_scope}.
 *
 * @param clientName the name registered dynamically
 * @param redirectUri where the authorization server sends the user back with the code
 * @param clientId a pre-registered client id, or null
 * @param clientSecret its secret, or null for a public client
 * @param clientMetadataUrl the HTTPS URL of this client's metadata document, used as client id where the
 *        authorization server supports it, or null
 * @param authorizer takes the user through the authorization URL and returns the redirect with the code
 */
public record McpOAuth(String clientName, URI redirectUri, @Nullable String clientId, @Nullable Secret clientSecret,
        @Nullable URI clientMetadataUrl, Authorizer authorizer) {
    /** Takes the user through an authorization request. */
    @FunctionalInterface
    public interface Authorizer {
        /**
         * @param authorizationUrl the authorization endpoint with every parameter
         * @return the redirect URI the authorization server sent the user to, with {@code code} and {@code state}
         */
        URI authorize(URI authorizationUrl);

        /**
         * @param http the client to ask with
         * @return an authorizer for servers that approve without a person: it GETs the URL and takes the redirect's
         *         {@code Location}; for tests and machine-to-machine set-ups
         */
        static Authorizer headless(HttpClient http) {
            return url -> {
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url).GET().build(),
                            HttpResponse.BodyHandlers
                                    .discarding());
                    String location = r.headers().firstValue("Location").orElseThrow(() -> new UnavailableException(
                            "the authorization endpoint answered " + r.statusCode() + " without a redirect", null,
                            null));
                    return url.resolve(location);
                } catch (IOException e) {
                    throw new UnavailableException("the authorization request failed", null, e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UnavailableException("the authorization request was interrupted", null, e);
                }
            };
        }
    }

    /** @throws IllegalArgumentException if the name, redirect URI or authorizer is missing */
    public McpOAuth {
        if (clientName == null || clientName.isBlank() || redirectUri == null || authorizer == null) {
            throw new IllegalArgumentException("clientName, redirectUri and authorizer are needed");
        }
    }

    @Override
    public String toString() {
        return "McpOAuth[clientName=" + clientName + ", redirectUri=" + redirectUri + ", clientId=" + clientId
                + ", clientSecret=" + (clientSecret == null ? "none" : "***") + ", clientMetadataUrl="
                + clientMetadataUrl + "]";
    }
}
