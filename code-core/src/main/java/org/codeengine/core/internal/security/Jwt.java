package org.codeengine.core.internal.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.Key;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.crypto.SecretKey;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.Secret;
import org.codeengine.api.security.Principal;
import org.jspecify.annotations.Nullable;

/**
 * JWT access tokens (JWS compact form, nimbus-jose-jwt). Keys come only from configuration, each pinned to one
 * algorithm; a token's header can choose among configured keys by {@code kid} but never brings a key ({@code jwk},
 * {@code jku}, {@code x5u}, {@code x5c} are refused outright). {@code exp} is required; {@code nbf} and {@code iat} are
 * checked with a bounded clock skew; {@code iss}, {@code aud} and {@code typ} must match; a {@code crit} header is
 * refused (no extension is understood); every part must be canonical base64url.
 */
public final class Jwt {
    /**
     * A configured key.
     *
     * @param id its {@code kid}
     * @param algorithm the one algorithm it is used with: HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512
     * @param verifyKey the public key (RSA, EC) or the shared secret (HMAC, at least 256 bits)
     * @param signKey the private key or shared secret to issue with, or null to verify only
     */
    public record KeyConfig(String id, String algorithm, Key verifyKey, @Nullable Key signKey) {
        @Override
        public String toString() {
            return "KeyConfig[" + id + ", " + algorithm + "]"; // never the key material
        }
    }

    /**
     * @param issuer the {@code iss} tokens carry and must carry
     * @param audience the {@code aud} tokens carry and must contain
     * @param type the {@code typ} header, {@code at+jwt} by default (RFC 9068)
     * @param maxSkew the clock skew allowed for {@code exp}, {@code nbf} and {@code iat}; 0 to 30 seconds
     */
    public record Settings(String issuer, String audience, String type, Duration maxSkew) {
        public Settings {
            if (maxSkew.isNegative() || maxSkew.compareTo(Duration.ofSeconds(30)) > 0) {
                throw new IllegalArgumentException("maxSkew must be between 0 and 30 seconds but was " + maxSkew);
            }
        }
    }

    private record Pinned(KeyConfig config, JWSAlgorithm algorithm, JWSVerifier verifier, @Nullable JWSSigner signer) {}

    private static final Set<String> FORBIDDEN_HEADERS = Set.of("jwk", "jku", "x5u", "x5c", "x5t", "x5t#S256");
    private final Map<String, Pinned> keys;
    private final @Nullable Pinned signing;
    private final Settings settings;
    private final Clock clock;
    private final SecureRandom random;

    /**
     * @param signingKeyId the key new tokens are signed with, or null to verify only
     * @throws IllegalArgumentException if a key does not fit its algorithm, an HMAC secret is shorter than 256 bits, or
     *         the signing key is unknown or has no private part
     */
    public Jwt(List<KeyConfig> keys, @Nullable String signingKeyId, Settings settings, Clock clock,
            SecureRandom random) {
        Map<String, Pinned> pinned = new LinkedHashMap<>();
        for (KeyConfig key : keys) {
            if (pinned.put(key.id(), pin(key)) != null) {
                throw new IllegalArgumentException("two keys have the id '" + key.id() + "'");
            }
        }
        this.keys = Map.copyOf(pinned);
        this.signing = signingKeyId == null ? null : pinned.get(signingKeyId);
        if (signingKeyId != null && (signing == null || signing.signer() == null)) {
            throw new IllegalArgumentException("signing key '" + signingKeyId + "' is not configured with a private"
                    + " part");
        }
        this.settings = settings;
        this.clock = clock;
        this.random = random;
    }

    private static Pinned pin(KeyConfig key) {
        JWSAlgorithm algorithm = JWSAlgorithm.parse(key.algorithm());
        try {
            if (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm)) {
                byte[] secret = key.verifyKey().getEncoded();
                if (!(key.verifyKey() instanceof SecretKey) || secret == null || secret.length * 8 < 256) {
                    throw new IllegalArgumentException("key '" + key.id() + "' for " + algorithm
                            + " must be a secret of at least 256 bits");
                }
                return new Pinned(key, algorithm, new MACVerifier(secret), key.signKey() == null
                        ? null
                        : new MACSigner(key.signKey().getEncoded()));
            }
            if (JWSAlgorithm.Family.RSA.contains(algorithm) && key.verifyKey() instanceof RSAPublicKey rsa) {
                if (rsa.getModulus().bitLength() < 2048) {
                    throw new IllegalArgumentException("key '" + key.id() + "' must be an RSA key of 2048 bits or"
                            + " more");
                }
                return new Pinned(key, algorithm, new RSASSAVerifier(rsa), key.signKey() instanceof RSAPrivateKey p
                        ? new RSASSASigner((PrivateKey) p)
                        : null);
            }
            if (JWSAlgorithm.Family.EC.contains(algorithm) && key.verifyKey() instanceof ECPublicKey ec) {
                return new Pinned(key, algorithm, new ECDSAVerifier(ec), key.signKey() instanceof ECPrivateKey p
                        ? new ECDSASigner(p)
                        : null);
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("key '" + key.id() + "' cannot be used with " + algorithm + ": " + e
                    .getMessage(), e);
        }
        throw new IllegalArgumentException("key '" + key.id() + "' does not fit algorithm " + key.algorithm()
                + "; HS*, RS*, PS* and ES* are supported");
    }

    /** {@return a signed access token for the principal, valid for {@code ttl}} */
    public Secret issue(Principal principal, Duration ttl) {
        if (signing == null) {
            throw new IllegalStateException("no signing key is configured");
        }
        Instant now = clock.instant();
        byte[] id = new byte[16];
        random.nextBytes(id);
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(settings.issuer()).audience(settings.audience())
                .subject(principal.id()).issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date
                        .from(now.plus(ttl)))
                .jwtID(Base64.getUrlEncoder().withoutPadding().encodeToString(id))
                .claim("roles", principal.roles().stream().sorted().toList()).claim("kind", principal.kind().name()
                        .toLowerCase(Locale.ROOT))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(signing.algorithm()).keyID(signing.config().id()).type(
                new JOSEObjectType(settings.type())).build(), claims);
        try {
            jwt.sign(signing.signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("signing a token failed: " + e.getMessage(), e);
        }
        return Secret.of(jwt.serialize());
    }

    /**
     * {@return the principal the token names}
     *
     * @throws AuthenticationException if anything about the token is wrong; the message names the rule, never the
     *         token
     */
    public Principal verify(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw refused("it is not a JWS in compact form");
        }
        for (String part : parts) {
            if (!canonical(part)) {
                throw refused("a part is not canonical base64url");
            }
        }
        forbiddenHeader(parts[0]);
        if (parts[2].isEmpty()) {
            throw refused("its signature is empty");
        }
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw refused("it cannot be parsed");
        }
        JWSHeader header = jwt.getHeader();
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw refused("its header marks extensions critical that are not understood: " + header
                    .getCriticalParams());
        }
        Pinned key = header.getKeyID() != null
                ? keys.get(header.getKeyID())
                : keys.size() == 1
                        ? keys.values()
                                .iterator().next()
                        : null;
        if (key == null) {
            throw refused("it names no configured key");
        }
        if (!key.algorithm().equals(header.getAlgorithm())) {
            throw refused("its algorithm " + header.getAlgorithm() + " is not the one key '" + key.config().id()
                    + "' is pinned to");
        }
        if (header.getType() == null || !settings.type().equals(header.getType().getType())) {
            throw refused("its typ is not " + settings.type());
        }
        boolean valid;
        try {
            valid = jwt.verify(key.verifier());
        } catch (JOSEException | IllegalStateException e) {
            valid = false;
        }
        if (!valid) {
            throw new Refused(Refused.Kind.BAD_SIGNATURE, "its signature does not verify");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refused("its claims cannot be parsed");
        }
        Instant now = clock.instant();
        Duration skew = settings.maxSkew();
        if (claims.getExpirationTime() == null) {
            throw refused("it has no exp");
        }
        if (!now.isBefore(claims.getExpirationTime().toInstant().plus(skew))) {
            throw refused("it expired");
        }
        if (claims.getNotBeforeTime() != null && now.plus(skew).isBefore(claims.getNotBeforeTime().toInstant())) {
            throw refused("it is not valid yet (nbf)");
        }
        if (claims.getIssueTime() != null && now.plus(skew).isBefore(claims.getIssueTime().toInstant())) {
            throw refused("it was issued in the future (iat)");
        }
        if (!settings.issuer().equals(claims.getIssuer())) {
            throw refused("its issuer is not " + settings.issuer());
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(settings.audience())) {
            throw refused("its audience does not include " + settings.audience());
        }
        if (claims.getSubject() == null || claims.getSubject().isBlank()) {
            throw refused("it has no subject");
        }
        Set<String> roles = new HashSet<>();
        try {
            List<String> listed = claims.getStringListClaim("roles");
            if (listed != null) {
                roles.addAll(listed);
            }
        } catch (ParseException e) {
            throw refused("its roles claim is not a list of strings");
        }
        Object kind = claims.getClaim("kind");
        return new Principal(claims.getSubject(), "service".equals(kind)
                ? Principal.Kind.SERVICE
                : Principal.Kind.USER, roles);
    }

    /** Base64url without padding whose decoding encodes back to the same text: no stray bits, no padding. */
    private static boolean canonical(String part) {
        if (part.isEmpty()) {
            return true;
        }
        if (!part.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_')) {
            return false;
        }
        try {
            byte[] decoded = Base64.getUrlDecoder().decode(part);
            return Base64URL.encode(decoded).toString().equals(part);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Refuses a header that asks for no signature ({@code alg: none} in any case) or brings a key, before anything
     * else is read from the token. A header that is not a JSON object is left to the parser.
     */
    private static void forbiddenHeader(String encodedHeader) {
        Map<String, Object> header;
        try {
            header = JSONObjectUtils.parse(new Base64URL(encodedHeader).decodeToString());
        } catch (ParseException e) {
            return;
        }
        if (header.get("alg") instanceof String alg && alg.equalsIgnoreCase("none")) {
            throw new Refused(Refused.Kind.FORBIDDEN_HEADER, "its header asks for alg none; a signature is required");
        }
        for (String name : header.keySet()) {
            if (FORBIDDEN_HEADERS.contains(name)) {
                throw new Refused(Refused.Kind.FORBIDDEN_HEADER, "its header carries '" + name
                        + "'; keys come only from configuration");
            }
        }
    }

    private static AuthenticationException refused(String why) {
        return new Refused(Refused.Kind.OTHER, why);
    }

    /** A refused token, with the kind of refusal threat detection counts. The message never holds the token. */
    public static final class Refused extends AuthenticationException {
        private static final long serialVersionUID = 1L;

        /** What was wrong. */
        public enum Kind {
            /** {@code alg: none}, or a header that brings a key. */
            FORBIDDEN_HEADER,
            /** A signature that does not verify with the configured key. */
            BAD_SIGNATURE,
            /** Anything else: expired, wrong audience, unparseable... */
            OTHER
        }

        private final Kind kind;
        private final String reason;

        Refused(Kind kind, String reason) {
            super("the bearer token is refused: " + reason, null);
            this.kind = kind;
            this.reason = reason;
        }

        /** {@return what was wrong} */
        public Kind kind() {
            return kind;
        }

        /** {@return why, without the token} */
        public String reason() {
            return reason;
        }
    }
}
