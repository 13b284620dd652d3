package org.codeengine.examples.cli;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The signing keys of a JWK Set file (RFC 7517), as an authorization server publishes them at its {@code jwks_uri}:
 * RSA keys (2048 bits or more; RS256/384/512, PS256/384/512) and EC keys on P-256, P-384 and P-521 (ES256/384/512).
 * Keys marked for encryption ({@code "use": "enc"}) are left out; a private or symmetric key is refused, since a file
 * of public keys must not hold one.
 */
final class JwkSet {
    /**
     * One verification key.
     *
     * @param id its {@code kid}: the JWK's, else {@code key-N} by its place in the set
     * @param algorithm the one algorithm tokens signed with it use
     * @param key the public key
     */
    record Key(String id, String algorithm, PublicKey key) {
        @Override
        public String toString() {
            return "Key[" + id + ", " + algorithm + "]";
        }
    }

    /** The EC curves served, with the JDK's name and the algorithm each goes with. */
    private static final Map<String, String[]> CURVES = Map.of("P-256", new String[]{"secp256r1", "ES256"}, "P-384",
            new String[]{"secp384r1", "ES384"}, "P-521", new String[]{"secp521r1", "ES512"});
    private static final Set<String> RSA_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512");

    private JwkSet() {}

    /**
     * @param file the JWK Set file
     * @param option the option that named the file, for the error messages
     * @return its signing keys, at least one
     * @throws CliException if the file cannot be read, is no JWK Set, or a key breaks a rule; the message names the
     *         option, the key and the rule, never key material
     */
    static List<Key> read(Path file, String option) {
        JsonNode root;
        try {
            root = Output.JSON.readTree(Files.readString(file));
        } catch (IOException e) {
            throw CliException.usage(option + ": cannot read " + file + ": " + e.getMessage(), "give the path of "
                    + "the issuer's JWK Set file");
        } catch (JacksonException e) {
            throw CliException.usage(option + ": " + file + " is not JSON: " + e.getOriginalMessage(),
                    "save the issuer's jwks_uri document as it is");
        }
        JsonNode keys = root == null ? null : root.get("keys");
        if (keys == null || !keys.isArray()) {
            throw CliException.usage(option + ": " + file + " must be a JWK Set, an object with a \"keys\" array",
                    "save the issuer's jwks_uri document as it is");
        }
        List<Key> read = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        int index = 0;
        for (JsonNode jwk : keys) {
            index++;
            String id = jwk.path("kid").asString("key-" + index);
            if (jwk.path("use").asString("sig").equals("enc")) {
                continue;
            }
            Key key = key(jwk, id, option + ": key '" + id + "'");
            if (!ids.add(id)) {
                throw CliException.usage(option + ": two keys have the kid '" + id + "'", "each key needs its own "
                        + "kid");
            }
            read.add(key);
        }
        if (read.isEmpty()) {
            throw CliException.usage(option + ": " + file + " holds no signing key", "save the issuer's jwks_uri "
                    + "document, which lists the keys its tokens are signed with");
        }
        return List.copyOf(read);
    }

    private static Key key(JsonNode jwk, String id, String where) {
        String type = jwk.path("kty").asString("");
        if (jwk.has("d") || type.equals("oct")) {
            throw CliException.usage(where + " is a private or symmetric key", "give the issuer's public keys only");
        }
        String alg = jwk.path("alg").asString("");
        try {
            return switch (type) {
                case "RSA" -> {
                    String algorithm = alg.isEmpty() ? "RS256" : alg;
                    if (!RSA_ALGORITHMS.contains(algorithm)) {
                        throw CliException.usage(where + ": alg " + algorithm + " does not fit an RSA key",
                                "RSA keys go with RS256/384/512 or PS256/384/512");
                    }
                    BigInteger modulus = number(jwk, "n", where);
                    if (modulus.bitLength() < 2048) {
                        throw CliException.usage(where + " is an RSA key of " + modulus.bitLength() + " bits; 2048 "
                                + "or more are needed", "have the issuer sign with a longer key");
                    }
                    PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus,
                            number(jwk, "e", where)));
                    yield new Key(id, algorithm, key);
                }
                case "EC" -> {
                    String[] curve = CURVES.get(jwk.path("crv").asString(""));
                    if (curve == null) {
                        throw CliException.usage(where + ": crv must be P-256, P-384 or P-521", "have the issuer "
                                + "sign with one of those curves");
                    }
                    if (!alg.isEmpty() && !alg.equals(curve[1])) {
                        throw CliException.usage(where + ": alg " + alg + " does not fit its curve", "a key on "
                                + jwk.path("crv").asString() + " goes with " + curve[1]);
                    }
                    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                    parameters.init(new ECGenParameterSpec(curve[0]));
                    ECPoint point = new ECPoint(number(jwk, "x", where), number(jwk, "y", where));
                    PublicKey key = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, parameters
                            .getParameterSpec(ECParameterSpec.class)));
                    yield new Key(id, curve[1], key);
                }
                default -> throw CliException.usage(where + ": kty must be RSA or EC, not '" + type + "'",
                        "give the issuer's signing keys");
            };
        } catch (GeneralSecurityException e) {
            throw CliException.usage(where + " is not a valid " + type + " public key", "save the issuer's jwks_uri "
                    + "document as it is");
        }
    }

    /** {@return the unsigned number in a base64url member of the JWK} */
    private static BigInteger number(JsonNode jwk, String member, String where) {
        String text = jwk.path(member).asString("");
        try {
            if (!text.isEmpty()) {
                return new BigInteger(1, Base64.getUrlDecoder().decode(text));
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw CliException.usage(where + ": " + member + " must be a base64url number", "save the issuer's jwks_uri "
                + "document as it is");
    }
}
