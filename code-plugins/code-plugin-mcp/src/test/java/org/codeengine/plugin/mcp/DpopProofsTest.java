package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import org.codeengine.api.Secret;
import org.junit.jupiter.api.Test;

/** DPoP proofs (RFC 9449 §4.2) as a resource server checks them. */
class DpopProofsTest {
    private final Instant now = Instant.parse("2026-07-28T12:00:00Z");
    private final DpopProofs proofs = new DpopProofs(() -> now);

    @Test
    void proof_isSignedByTheKeyItCarries_andNamesTheRequestTheTokenAndTheNonce() throws Exception {
        URI uri = URI.create("http://127.0.0.1:8080/mcp?x=1#f");
        Secret token = Secret.of("access-token-1");
        proofs.nonce(URI.create("http://127.0.0.1:8080/token"), "n-1"); // the same origin: the same nonce
        SignedJWT jwt = SignedJWT.parse(proofs.proof("POST", uri, token));

        assertThat(jwt.getHeader().getType().getType()).isEqualTo("dpop+jwt");
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
        ECKey key = (ECKey) jwt.getHeader().getJWK();
        assertThat(key.isPrivate()).as("only the public key travels").isFalse();
        assertThat(jwt.verify(new ECDSAVerifier(key))).isTrue();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getStringClaim("htm")).isEqualTo("POST");
        assertThat(claims.getStringClaim("htu")).isEqualTo("http://127.0.0.1:8080/mcp");
        assertThat(claims.getIssueTime().toInstant()).isEqualTo(now);
        assertThat(claims.getStringClaim("nonce")).isEqualTo("n-1");
        assertThat(claims.getStringClaim("ath")).isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(
                MessageDigest.getInstance("SHA-256").digest("access-token-1".getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void proofs_areFresh_andATokenRequestsProofHasNoAth() throws Exception {
        URI uri = URI.create("http://127.0.0.1:8080/token");
        JWTClaimsSet first = SignedJWT.parse(proofs.proof("POST", uri, null)).getJWTClaimsSet();
        JWTClaimsSet second = SignedJWT.parse(proofs.proof("POST", uri, null)).getJWTClaimsSet();
        assertThat(first.getJWTID()).isNotEqualTo(second.getJWTID());
        assertThat(first.getClaim("ath")).isNull();
        assertThat(first.getClaim("nonce")).isNull();
        assertThat(proofs.toString()).doesNotContain("d=");
    }
}
