package org.codeengine.plugin.mcp;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.InstantSource;
import java.util.function.Supplier;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.jspecify.annotations.Nullable;

/**
 * How an {@link McpClient} gets OAuth 2.1 access tokens when a server answers 401: it discovers the protected-resource
 * metadata (RFC 9728) and the authorization server's metadata (RFC 8414 or OpenID discovery, or the 2025-03-26
 * fallbacks), then gets a token with the configured grant, always naming the MCP server in the {@code resource}
 * parameter (RFC 8707):
 *
 * <ul>
 *   <li>{@linkplain Builder#authorizationCode the authorization code grant} with PKCE (S256), for a user who approves
 *       in a browser; the client registers with pre-registered credentials, a client ID metadata document, or
 *       dynamic registration;
 *   <li>{@linkplain Builder#clientCredentials the client credentials grant}, machine to machine (MCP extension
 *       SEP-1046);
 *   <li>{@linkplain Builder#crossAppAccess cross-app access}: the user's ID token is exchanged at the enterprise
 *       identity provider for an identity assertion grant (ID-JAG, RFC 8693 token exchange), which the MCP server's
 *       authorization server takes in the JWT bearer grant (RFC 7523; MCP extension SEP-990);
 *   <li>{@linkplain Builder#workloadIdentity workload identity}: a JWT the workload's platform issued is the assertion
 *       of the JWT bearer grant (MCP extension SEP-1933).
 * </ul>
 *
 * <p>At the token endpoint the client authenticates with nothing (a public client), its secret
 * ({@code client_secret_basic} or {@code client_secret_post}, as the server's metadata prefers) or a JWT signed with
 * its private key ({@code private_key_jwt}, RFC 7523 §2.2). It keeps the refresh token a token response carries,
 * refreshes the access token shortly before it expires and when the server rejects it, and keeps the new refresh
 * token when the server rotates it. When a server answers 403 {@code insufficient_scope}, it asks for the scope the
 * challenge names (at most twice in a row). Built with {@link #builder()}; immutable and thread-safe. Secrets and keys
 * never appear in {@link #toString()}.
 */
public final class McpOAuth {
    private final String clientName;
    private final Grant grant;
    private final @Nullable String clientId;
    private final @Nullable Secret clientSecret;
    private final @Nullable ClientKey clientKey;
    private final @Nullable URI clientMetadataUrl;
    private final InstantSource clock;

    /** Takes the user through an authorization request. */
    @FunctionalInterface
    public interface Authorizer {
        /**
         * {@return the redirect URI the authorization server sent the user to, with {@code code} and {@code state}}
         *
         * @param authorizationUrl the authorization endpoint with every parameter
         */
        URI authorize(URI authorizationUrl);

        /**
         * {@return an authorizer for servers that approve without a person: it GETs the URL and takes the redirect's
         *         {@code Location}; for tests and machine-to-machine set-ups}
         *
         * @param http the client to ask with
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

    /**
     * Where and how the client trades the user's identity for an authorization grant in cross-app access (SEP-990):
     * a token exchange (RFC 8693) at the enterprise identity provider with the user's ID token as subject, asking for
     * an ID-JAG whose audience is the MCP server's authorization server.
     *
     * @param tokenEndpoint the identity provider's token endpoint
     * @param clientId this client's id at the identity provider
     * @param clientSecret its secret there, sent with {@code client_secret_basic}, or null for a public client
     * @param idToken gives the user's current OpenID Connect ID token; asked each time a grant is needed
     */
    public record CrossAppAccess(URI tokenEndpoint, String clientId, @Nullable Secret clientSecret,
            Supplier<Secret> idToken) {
        /** @throws IllegalArgumentException if the endpoint, client id or ID token supplier is missing */
        public CrossAppAccess {
            if (tokenEndpoint == null || clientId == null || clientId.isBlank() || idToken == null) {
                throw new IllegalArgumentException("tokenEndpoint, clientId and idToken are needed");
            }
        }

        @Override
        public String toString() {
            return "CrossAppAccess[tokenEndpoint=" + tokenEndpoint + ", clientId=" + clientId + ", clientSecret="
                    + (clientSecret == null ? "none" : "***") + "]";
        }
    }

    /** The grant the client uses; one per configuration. */
    sealed interface Grant {}

    /** @param redirectUri where the user comes back; @param authorizer takes the user through the request */
    record AuthorizationCode(URI redirectUri, Authorizer authorizer) implements Grant {}

    /** Machine to machine. */
    record ClientCredentials() implements Grant {}

    /** @param idp where the ID-JAG comes from */
    record JwtBearer(CrossAppAccess idp) implements Grant {}

    /** @param assertion gives the workload's identity token, the grant's assertion */
    record WorkloadIdentity(Supplier<Secret> assertion) implements Grant {}

    /** A private key and the JWS algorithm the client signs its assertions with. */
    record ClientKey(JWSSigner signer, JWSAlgorithm algorithm, @Nullable String keyId) {
        @Override
        public String toString() {
            return "ClientKey[" + algorithm + ", kid=" + keyId + "]"; // never the key
        }
    }

    private McpOAuth(Builder b, Grant grant) {
        this.clientName = b.clientName;
        this.grant = grant;
        this.clientId = b.clientId;
        this.clientSecret = b.clientSecret;
        this.clientKey = b.clientKey;
        this.clientMetadataUrl = b.clientMetadataUrl;
        this.clock = b.clock;
    }

    /** {@return a builder; choose one grant, then say who the client is} */
    public static Builder builder() {
        return new Builder();
    }

    String clientName() {
        return clientName;
    }

    Grant grant() {
        return grant;
    }

    @Nullable
    String clientId() {
        return clientId;
    }

    @Nullable
    Secret clientSecret() {
        return clientSecret;
    }

    @Nullable
    ClientKey clientKey() {
        return clientKey;
    }

    @Nullable
    URI clientMetadataUrl() {
        return clientMetadataUrl;
    }

    InstantSource clock() {
        return clock;
    }

    @Override
    public String toString() {
        String how = switch (grant) {
            case AuthorizationCode code -> "authorization_code, redirectUri=" + code.redirectUri();
            case ClientCredentials cc -> "client_credentials";
            case JwtBearer jag -> "cross-app access, idp=" + jag.idp().tokenEndpoint();
            case WorkloadIdentity wif -> "workload identity (jwt-bearer)";
        };
        return "McpOAuth[" + how + ", clientName=" + clientName + ", clientId=" + clientId + ", clientSecret="
                + (clientSecret == null ? "none" : "***") + ", clientKey=" + (clientKey == null
                        ? "none"
                        : clientKey.algorithm())
                + ", clientMetadataUrl=" + clientMetadataUrl + "]";
    }

    /** Collects an OAuth configuration. Not thread-safe. */
    public static final class Builder {
        private String clientName = "code";
        private @Nullable Grant grant;
        private @Nullable String clientId;
        private @Nullable Secret clientSecret;
        private @Nullable ClientKey clientKey;
        private @Nullable URI clientMetadataUrl;
        private InstantSource clock = InstantSource.system();

        private Builder() {}

        /**
         * Uses the authorization code grant with PKCE: a user approves in a browser.
         *
         * @param redirectUri where the authorization server sends the user back with the code
         * @param authorizer takes the user through the authorization URL and returns the redirect
         * @return this builder
         * @throws IllegalArgumentException if an argument is null
         * @throws IllegalStateException if a grant is chosen already
         */
        public Builder authorizationCode(URI redirectUri, Authorizer authorizer) {
            return grant(new AuthorizationCode(require(redirectUri, "redirectUri"), require(authorizer,
                    "authorizer")));
        }

        /**
         * Uses the client credentials grant: the client acts for itself, with no user. Needs {@link #clientId} and
         * {@link #clientSecret} or {@link #privateKeyJwt}.
         *
         * @return this builder
         * @throws IllegalStateException if a grant is chosen already
         */
        public Builder clientCredentials() {
            return grant(new ClientCredentials());
        }

        /**
         * Uses cross-app access: the user's ID token becomes an ID-JAG at the identity provider, which the MCP
         * server's authorization server takes in the JWT bearer grant. Needs {@link #clientId}, the id the
         * authorization server knows this client by (and the ID-JAG names), with its {@link #clientSecret} or
         * {@link #privateKeyJwt}.
         *
         * @param idp the identity provider's side
         * @return this builder
         * @throws IllegalArgumentException if {@code idp} is null
         * @throws IllegalStateException if a grant is chosen already
         */
        public Builder crossAppAccess(CrossAppAccess idp) {
            return grant(new JwtBearer(require(idp, "idp")));
        }

        /**
         * Uses workload identity federation (MCP extension SEP-1933): a JWT the workload's platform issued (its
         * audience the authorization server) is the assertion of the JWT bearer grant (RFC 7523 §2.1). Needs
         * {@link #clientId}; the client authenticates with its {@link #clientSecret} or {@link #privateKeyJwt} where it
         * has one, else with none. A refused assertion is not retried, nor another grant tried.
         *
         * @param assertion gives the workload's current JWT; asked each time a token is needed
         * @return this builder
         * @throws IllegalArgumentException if {@code assertion} is null
         * @throws IllegalStateException if a grant is chosen already
         */
        public Builder workloadIdentity(Supplier<Secret> assertion) {
            return grant(new WorkloadIdentity(require(assertion, "assertion")));
        }

        private Builder grant(Grant chosen) {
            if (grant != null) {
                throw new IllegalStateException("a grant is chosen already: " + grant.getClass().getSimpleName());
            }
            grant = chosen;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param name the client name sent in dynamic registration; {@code code} by default
         * @throws IllegalArgumentException if {@code name} is blank
         */
        public Builder clientName(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("clientName must not be blank");
            }
            this.clientName = name;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param id the client id the authorization server issued to this client (pre-registration)
         * @throws IllegalArgumentException if {@code id} is blank
         */
        public Builder clientId(String id) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("clientId must not be blank");
            }
            this.clientId = id;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param secret the client's secret, sent with {@code client_secret_basic} or {@code client_secret_post}
         * @throws IllegalArgumentException if {@code secret} is null
         */
        public Builder clientSecret(Secret secret) {
            this.clientSecret = require(secret, "clientSecret");
            return this;
        }

        /**
         * Authenticates the client with a JWT it signs ({@code private_key_jwt}, RFC 7523 §2.2): issuer and subject
         * are the client id, the audience is the authorization server's issuer, valid for 60 seconds.
         *
         * @param key the client's private key: EC for ES256/384/512, RSA for RS256/384/512 and PS256/384/512
         * @param algorithm the JWS algorithm, such as {@code ES256}
         * @return this builder
         * @throws IllegalArgumentException if the algorithm is not one of those or does not fit the key
         */
        public Builder privateKeyJwt(PrivateKey key, String algorithm) {
            return privateKeyJwt(key, algorithm, null);
        }

        /**
         * Like {@link #privateKeyJwt(PrivateKey, String)}, naming the key in the assertion's {@code kid} header.
         *
         * @param key the client's private key
         * @param algorithm the JWS algorithm
         * @param keyId the key's id as registered with the authorization server, or null for none
         * @return this builder
         * @throws IllegalArgumentException if the algorithm is not supported or does not fit the key
         */
        public Builder privateKeyJwt(PrivateKey key, String algorithm, @Nullable String keyId) {
            require(key, "key");
            JWSAlgorithm alg = JWSAlgorithm.parse(require(algorithm, "algorithm"));
            try {
                JWSSigner signer;
                if (JWSAlgorithm.Family.EC.contains(alg) && key instanceof ECPrivateKey ec) {
                    signer = new ECDSASigner(ec);
                } else if (JWSAlgorithm.Family.RSA.contains(alg) && key instanceof RSAPrivateKey) {
                    signer = new RSASSASigner(key);
                } else {
                    throw new IllegalArgumentException("algorithm " + algorithm + " does not fit a " + key
                            .getAlgorithm() + " key; use ES256/384/512 with EC keys, RS or PS 256/384/512 with RSA");
                }
                if (!signer.supportedJWSAlgorithms().contains(alg)) {
                    throw new IllegalArgumentException("algorithm " + algorithm + " does not fit this key");
                }
                this.clientKey = new ClientKey(signer, alg, keyId);
            } catch (JOSEException e) {
                throw new IllegalArgumentException("the key cannot sign with " + algorithm, e);
            }
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param url the HTTPS URL of this client's metadata document, used as client id where the authorization
         *        server supports it (authorization code grant)
         * @throws IllegalArgumentException if {@code url} is null
         */
        public Builder clientMetadataUrl(URI url) {
            this.clientMetadataUrl = require(url, "clientMetadataUrl");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param value the clock token lifetimes and assertions are reckoned by (a {@link java.time.Clock} will do);
         *        the system clock by default
         * @throws IllegalArgumentException if {@code value} is null
         */
        public Builder clock(InstantSource value) {
            this.clock = require(value, "clock");
            return this;
        }

        /**
         * {@return the configuration}
         *
         * @throws IllegalStateException if no grant is chosen, both a secret and a key are set, or the client
         *         credentials grant or cross-app access lacks a client id or a way to authenticate
         */
        public McpOAuth build() {
            if (grant == null) {
                throw new IllegalStateException("choose a grant: authorizationCode, clientCredentials, "
                        + "crossAppAccess or workloadIdentity");
            }
            if (clientSecret != null && clientKey != null) {
                throw new IllegalStateException("set either clientSecret or privateKeyJwt, not both");
            }
            if (grant instanceof WorkloadIdentity && clientId == null) {
                throw new IllegalStateException("workload identity needs a clientId");
            }
            if (!(grant instanceof AuthorizationCode || grant instanceof WorkloadIdentity) && (clientId == null
                    || clientSecret == null && clientKey == null)) {
                throw new IllegalStateException("the client credentials grant and cross-app access need a clientId"
                        + " and a clientSecret or privateKeyJwt");
            }
            return new McpOAuth(this, grant);
        }

        private static <T> T require(T value, String field) {
            if (value == null) {
                throw new IllegalArgumentException(field + " must not be null");
            }
            return value;
        }
    }
}
