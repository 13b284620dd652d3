package org.codeengine.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Random;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.Test;

/**
 * CODE's own Argon2id and BLAKE2b, which replaced Bouncy Castle's: published vectors, the same tags as Bouncy Castle
 * (kept for this test only) over random parameters, and password hashes written before the change still verify.
 */
class Argon2idTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void blake2b_matchesRfc7693_andTheEmptyMessage() {
        assertThat(HEX.formatHex(new Blake2b(64).update("abc".getBytes(StandardCharsets.US_ASCII)).digest()))
                .isEqualTo("ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
                        + "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
        assertThat(HEX.formatHex(new Blake2b(64).digest())).isEqualTo(
                "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419"
                        + "d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce");
    }

    @Test
    void argon2id_givesBouncyCastlesTags_forRandomLanesPassesMemoryLengthsSecretsAndData() {
        Random random = new Random(20261206);
        for (int n = 0; n < 40; n++) {
            int lanes = 1 + random.nextInt(4);
            Passwords.Cost cost = new Passwords.Cost(8 * lanes + random.nextInt(300), 1 + random.nextInt(3), lanes);
            byte[] password = bytes(random, random.nextInt(300));
            byte[] salt = bytes(random, 8 + random.nextInt(40));
            byte[] secret = random.nextBoolean() ? bytes(random, 1 + random.nextInt(64)) : null;
            byte[] associated = random.nextBoolean() ? bytes(random, 1 + random.nextInt(64)) : null;
            int length = 4 + random.nextInt(200);

            byte[] ours = Argon2id.hash(password, salt, secret, associated, cost, length);

            assertThat(HEX.formatHex(ours)).as("case %d: %s, %d-byte tag", n, cost, length).isEqualTo(HEX.formatHex(
                    bouncyCastle(password, salt, secret, associated, cost, length)));
        }
    }

    @Test
    void aPasswordHashWrittenWithBouncyCastle_stillVerifies_soStoresKeepTheirUsers() {
        String written = "$argon2id$v=19$m=19456,t=2,p=1$Q09ERS1zdG9yZS1zYWx0IQ$ocZHK9AWcWQTPrqduDAkcmpLW3rMrFA31XgPRvvtbPQ";
        Passwords passwords = new Passwords(Passwords.Cost.OWASP, new SecureRandom());

        assertThat(passwords.verify("correct horse battery staple".toCharArray(), written)).isTrue();
        assertThat(passwords.verify("correct horse battery stapler".toCharArray(), written)).isFalse();
        assertThat(passwords.needsRehash(written)).isFalse();
    }

    private static byte[] bouncyCastle(byte[] password, byte[] salt, byte[] secret, byte[] associated,
            Passwords.Cost cost, int length) {
        Argon2Parameters.Builder params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(
                Argon2Parameters.ARGON2_VERSION_13).withMemoryAsKB(cost.memoryKiB()).withIterations(cost.iterations())
                .withParallelism(cost.parallelism()).withSalt(salt);
        if (secret != null) {
            params.withSecret(secret);
        }
        if (associated != null) {
            params.withAdditional(associated);
        }
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params.build());
        byte[] out = new byte[length];
        generator.generateBytes(password, out);
        return out;
    }

    private static byte[] bytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }
}
