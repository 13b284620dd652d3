package org.codeengine.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.security.Principal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JWT attack suite: every forged, confused or out-of-date token is refused. */
class JwtAttackTest {
    static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final Jwt.Settings SETTINGS = new Jwt.Settings("https://code.example", "code-api", "at+jwt", Duration
            .ofSeconds(30));
    static KeyPair rsa;
    static KeyPair ec;
    static SecretKeySpec hmac;
    static Jwt jwt;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGen.generateKeyPair();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        hmac = new SecretKeySpec(secret, "HmacSHA256");
        jwt = new Jwt(List.of(new Jwt.KeyConfig("rsa", "RS256", rsa.getPublic(), rsa.getPrivate()), new Jwt.KeyConfig(
                "ec", "ES256", ec.getPublic(), ec.getPrivate()), new Jwt.KeyConfig("hmac", "HS256", hmac, hmac)), "ec",
                SETTINGS, CLOCK, new SecureRandom());
    }

    static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer(SETTINGS.issuer()).audience(SETTINGS.audience()).subject("alice")
                .issueTime(Date.from(NOW)).notBeforeTime(Date.from(NOW)).expirationTime(Date.from(NOW.plusSeconds(
                        300)))
                .claim("roles", List.of("viewer"));
    }

    static JWSHeader.Builder header(JWSAlgorithm alg, String kid) {
        return new JWSHeader.Builder(alg).keyID(kid).type(new JOSEObjectType("at+jwt"));
    }

    static String signed(JWSHeader header, JWTClaimsSet claims, JWSSigner signer) throws Exception {
        SignedJWT token = new SignedJWT(header, claims);
        token.sign(signer);
        return token.serialize();
    }

    static String ecToken(UnaryOperator<JWTClaimsSet.Builder> claims) throws Exception {
        return signed(header(JWSAlgorithm.ES256, "ec").build(), claims.apply(claims()).build(), new ECDSASigner(
                (ECPrivateKey) ec.getPrivate()));
    }

    static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static void refused(String token, String why) {
        assertThatThrownBy(() -> jwt.verify(token)).isInstanceOf(AuthenticationException.class).hasMessageContaining(
                why).hasMessageNotContaining(token);
    }

    @Test
    void aTokenItIssued_verifies() {
        Principal principal = jwt.verify(jwt.issue(new Principal("alice", Principal.Kind.USER, Set.of("viewer",
                "ops")), Duration.ofMinutes(5)).reveal());
        assertThat(principal).isEqualTo(new Principal("alice", Principal.Kind.USER, Set.of("viewer", "ops")));
    }

    @Test
    void anEditedPayload_isRefused() throws Exception {
        String[] parts = ecToken(c -> c).split("\\.");
        String forged = parts[0] + "." + b64(new String(Base64.getUrlDecoder().decode(parts[1]),
                StandardCharsets.UTF_8).replace("viewer", "admin")) + "." + parts[2];
        refused(forged, "signature does not verify");
    }

    @Test
    void algNone_inAnyCase_isRefused() throws Exception {
        String payload = ecToken(c -> c).split("\\.")[1];
        for (String none : List.of("none", "None", "NONE", "nOnE")) {
            String header = b64("{\"alg\":\"" + none + "\",\"kid\":\"ec\",\"typ\":\"at+jwt\"}");
            refused(header + "." + payload + ".", "refused");
        }
    }

    @Test
    void anEmptySignature_isRefused() throws Exception {
        String[] parts = ecToken(c -> c).split("\\.");
        refused(parts[0] + "." + parts[1] + ".", "signature is empty");
    }

    @Test
    void hmacKeysUnder256Bits_areRefusedAtConfiguration() {
        SecretKeySpec weak = new SecretKeySpec(new byte[16], "HmacSHA256");
        assertThatThrownBy(() -> new Jwt(List.of(new Jwt.KeyConfig("weak", "HS256", weak, weak)), "weak", SETTINGS,
                CLOCK, new SecureRandom())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(
                        "at least 256 bits");
    }

    @Test
    void anAttackerKeyInTheJwkHeader_isRefused() throws Exception {
        KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair attacker = gen.generateKeyPair();
        ECKey jwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) attacker.getPublic()).build();
        refused(signed(header(JWSAlgorithm.ES256, "ec").jwk(jwk).build(), claims().build(), new ECDSASigner(
                (ECPrivateKey) attacker.getPrivate())), "carries 'jwk'");
        refused(signed(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType("at+jwt")).jwk(jwk).build(),
                claims().build(), new ECDSASigner((ECPrivateKey) attacker.getPrivate())), "carries 'jwk'");
    }

    @Test
    void jkuAndX5uPointingElsewhere_areRefused() throws Exception {
        ECDSASigner signer = new ECDSASigner((ECPrivateKey) ec.getPrivate());
        refused(signed(header(JWSAlgorithm.ES256, "ec").jwkURL(URI.create("https://attacker.example/jwks.json"))
                .build(), claims().build(), signer), "carries 'jku'");
        refused(signed(header(JWSAlgorithm.ES256, "ec").x509CertURL(URI.create("https://attacker.example/cert.pem"))
                .build(), claims().build(), signer), "carries 'x5u'");
    }

    @Test
    void aKidWithPathTraversal_namesNoKey() throws Exception {
        refused(signed(header(JWSAlgorithm.ES256, "../../../../dev/null").build(), claims().build(), new ECDSASigner(
                (ECPrivateKey) ec.getPrivate())), "names no configured key");
    }

    @Test
    void hs256KeyedWithThePublicKey_algorithmConfusion_isRefused() throws Exception {
        String signingInput = b64("{\"alg\":\"HS256\",\"kid\":\"rsa\",\"typ\":\"at+jwt\"}") + "." + b64(
                "{\"iss\":\"https://code.example\",\"aud\":\"code-api\",\"sub\":\"alice\",\"exp\":" + NOW.plusSeconds(
                        300).getEpochSecond() + "}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(rsa.getPublic().getEncoded(), "HmacSHA256"));
        String sig = Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signingInput.getBytes(
                StandardCharsets.US_ASCII)));
        refused(signingInput + "." + sig, "is not the one key 'rsa' is pinned to");
    }

    @Test
    void theRsaKey_withAnotherRsaAlgorithm_isRefused() throws Exception {
        RSASSASigner signer = new RSASSASigner(rsa.getPrivate());
        assertThat(jwt.verify(signed(header(JWSAlgorithm.RS256, "rsa").build(), claims().build(), signer)).id())
                .isEqualTo("alice");
        refused(signed(header(JWSAlgorithm.PS256, "rsa").build(), claims().build(), signer), "pinned");
        refused(signed(header(JWSAlgorithm.RS512, "rsa").build(), claims().build(), signer), "pinned");
    }

    @Test
    void anEcdsaSignatureOfZeros_cve202221449_isRefused() throws Exception {
        String[] parts = ecToken(c -> c).split("\\.");
        String zeros = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[64]);
        refused(parts[0] + "." + parts[1] + "." + zeros, "signature does not verify");
    }

    @Test
    void anUnknownCriticalHeader_isRefused() throws Exception {
        refused(signed(header(JWSAlgorithm.ES256, "ec").criticalParams(Set.of("exp-ext")).customParam("exp-ext", 1)
                .build(), claims().build(), new ECDSASigner((ECPrivateKey) ec.getPrivate())), "critical");
    }

    @Test
    void timeClaims_areCheckedWithTheConfiguredSkew() throws Exception {
        assertThat(jwt.verify(ecToken(c -> c.expirationTime(Date.from(NOW.minusSeconds(10))))).id()).as(
                "expired within the skew").isEqualTo("alice");
        refused(ecToken(c -> c.expirationTime(Date.from(NOW.minusSeconds(31)))), "expired");
        refused(ecToken(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(60)))), "not valid yet");
        refused(ecToken(c -> c.issueTime(Date.from(NOW.plusSeconds(60)))), "issued in the future");
        refused(ecToken(c -> c.expirationTime(null)), "no exp");
    }

    @Test
    void wrongAudienceIssuerOrType_areRefused() throws Exception {
        refused(ecToken(c -> c.audience("someone-else")), "audience");
        refused(ecToken(c -> c.issuer("https://evil.example")), "issuer");
        refused(signed(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec").type(JOSEObjectType.JWT).build(), claims()
                .build(), new ECDSASigner((ECPrivateKey) ec.getPrivate())), "typ");
        refused(signed(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("ec").build(), claims().build(),
                new ECDSASigner((ECPrivateKey) ec.getPrivate())), "typ");
    }

    @Test
    void nonCanonicalBase64urlParts_areRefused() throws Exception {
        String token = ecToken(c -> c);
        String[] parts = token.split("\\.");
        refused(parts[0] + "." + parts[1] + "=." + parts[2], "canonical");
        refused(parts[0] + ".+" + parts[1].substring(1) + "." + parts[2], "canonical"); // base64, not base64url
        // the signature is 64 bytes, 86 characters: the last one carries 4 unused bits; setting one changes no byte
        String sig = parts[2];
        char last = sig.charAt(sig.length() - 1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char sibling = alphabet.charAt(alphabet.indexOf(last) ^ 1);
        refused(parts[0] + "." + parts[1] + "." + sig.substring(0, sig.length() - 1) + sibling, "canonical");
        refused(token + ".extra", "compact form");
    }
}
