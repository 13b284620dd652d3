package org.codeengine.plugin.mcp;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.Secret;
import org.jspecify.annotations.Nullable;

/**
 * DPoP proofs (RFC 9449): a key pair made for this client alone (EC P-256 from the JDK, never leaving the process)
 * signs a fresh proof for each HTTP request to the authorization server's token endpoint and to the MCP server, naming
 * the method, the URL without query or fragment, the time, a unique id, the hash of the access token it goes with,
 * and the nonce the server last gave. Thread-safe.
 */
final class DpopProofs {
    /** The only algorithm this client signs with; every DPoP server must take ES256 or say which it takes. */
    static final String ALGORITHM = "ES256";
    private static final JOSEObjectType TYPE = new JOSEObjectType("dpop+jwt");
    private final ECDSASigner signer;
    private final ECKey publicKey;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    /** The last nonce each server (by origin) gave. */
    private final Map<String, String> nonces = new ConcurrentHashMap<>();

    DpopProofs(InstantSource clock) {
        this.clock = clock;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            this.signer = new ECDSASigner((ECPrivateKey) pair.getPrivate());
            this.publicKey = new ECKey.Builder(Curve.P_256, (ECPublicKey) pair.getPublic()).build();
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException("this JDK cannot make an EC P-256 key for DPoP", e);
        }
    }

    /**
     * {@return a fresh proof, for the {@code DPoP} header}
     *
     * @param method the HTTP method of the request the proof goes with
     * @param uri the request's URL; its query and fragment are left out
     * @param accessToken the access token the request presents, or null (a token request)
     */
    String proof(String method, URI uri, @Nullable Secret accessToken) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().jwtID(randomId()).claim("htm", method).claim("htu",
                htu(uri)).issueTime(Date.from(clock.instant()));
        String nonce = nonces.get(origin(uri));
        if (nonce != null) {
            claims.claim("nonce", nonce);
        }
        if (accessToken != null) {
            claims.claim("ath", Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(accessToken
                    .reveal())));
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).type(TYPE).jwk(publicKey).build(),
                claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new AuthenticationException("the DPoP proof cannot be signed", null);
        }
        return jwt.serialize();
    }

    /** Keeps the nonce a server gave (in {@code DPoP-Nonce}) for the next proofs to it. */
    void nonce(URI uri, String nonce) {
        nonces.put(origin(uri), nonce);
    }

    private static String htu(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority() + (uri.getRawPath() == null ? "" : uri.getRawPath());
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority();
    }

    private String randomId() {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "DpopProofs[" + ALGORITHM + "]"; // never the key
    }
}
