package org.codeengine.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.codeengine.core.internal.security.Totp.Algorithm;
import org.junit.jupiter.api.Test;

/** Published test vectors: RFC 6238 (TOTP), RFC 9106 (Argon2id), RFC 6962 / Certificate Transparency (Merkle). */
class CryptoVectorsTest {
    static final HexFormat HEX = HexFormat.of();

    @Test
    void totp_matchesAllEighteenValuesOfRfc6238AppendixB() {
        byte[] sha1 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        byte[] sha256 = "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
        byte[] sha512 = "1234567890123456789012345678901234567890123456789012345678901234".getBytes(
                StandardCharsets.US_ASCII);
        long[] times = {59L, 1111111109L, 1111111111L, 1234567890L, 2000000000L, 20000000000L};
        String[][] expected = {{"94287082", "46119246", "90693936"}, {"07081804", "68084774", "25091201"}, {
                "14050471", "67062674", "99943326"}, {"89005924", "91819424", "93441116"},
                {"69279037", "90698825",
                        "38618901"},
                {"65353130", "77737706", "47863826"}};
        for (int i = 0; i < times.length; i++) {
            long step = Totp.step(Instant.ofEpochSecond(times[i]));
            assertThat(Totp.code(sha1, Algorithm.SHA1, 8, step)).as("SHA1 at " + times[i]).isEqualTo(expected[i][0]);
            assertThat(Totp.code(sha256, Algorithm.SHA256, 8, step)).isEqualTo(expected[i][1]);
            assertThat(Totp.code(sha512, Algorithm.SHA512, 8, step)).isEqualTo(expected[i][2]);
        }
    }

    @Test
    void totp_acceptsOneStepOfSkew_andNeverTheSameStepTwice() {
        byte[] secret = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
        Instant now = Instant.ofEpochSecond(1_111_111_111L);
        long step = Totp.step(now);
        String previous = Totp.code(secret, Algorithm.SHA1, 6, step - 1);
        String twoBack = Totp.code(secret, Algorithm.SHA1, 6, step - 2);
        assertThat(Totp.verify(secret, Algorithm.SHA1, 6, previous, now, -1)).hasValue(step - 1);
        assertThat(Totp.verify(secret, Algorithm.SHA1, 6, twoBack, now, -1)).isEmpty();
        assertThat(Totp.verify(secret, Algorithm.SHA1, 6, previous, now, step - 1)).as("replayed").isEmpty();
        assertThat(Totp.verify(secret, Algorithm.SHA1, 6, "12345", now, -1)).isEmpty();
        assertThat(Totp.uri("CODE", "alice@example.org", secret, Algorithm.SHA1, 6)).isEqualTo(
                "otpauth://totp/CODE:alice%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=CODE"
                        + "&algorithm=SHA1&digits=6&period=30");
    }

    @Test
    void argon2id_matchesTheTestVectorOfRfc9106() {
        byte[] password = filled(32, 0x01);
        byte[] tag = Passwords.argon2id(password, filled(16, 0x02), filled(8, 0x03), filled(12, 0x04),
                new Passwords.Cost(32, 3, 4), 32);
        assertThat(HEX.formatHex(tag)).isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    }

    @Test
    void passwords_areStoredAsPhcStrings_verified_andFlaggedForRehashWhenTheCostRises() {
        Passwords passwords = new Passwords(Passwords.Cost.OWASP, new SecureRandom());
        String phc = passwords.hash("correct horse battery staple".toCharArray());
        assertThat(phc).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}");
        assertThat(passwords.verify("correct horse battery staple".toCharArray(), phc)).isTrue();
        assertThat(passwords.verify("correct horse battery stapl".toCharArray(), phc)).isFalse();
        assertThat(passwords.needsRehash(phc)).isFalse();
        assertThat(new Passwords(new Passwords.Cost(32 * 1024, 2, 1), new SecureRandom()).needsRehash(phc)).isTrue();
    }

    @Test
    void passwordPolicy_followsAsvs5() {
        Passwords passwords = new Passwords(Passwords.Cost.OWASP, new SecureRandom());
        assertThat(passwords.problem("short".toCharArray())).hasValueSatisfying(p -> assertThat(p).contains(
                "at least 8"));
        assertThat(passwords.problem("baseball".toCharArray())).hasValueSatisfying(p -> assertThat(p).contains(
                "most common"));
        assertThat(passwords.problem("PASSWORD1".toCharArray())).as("case does not escape the list").isPresent();
        assertThat(passwords.problem("all lower case, no digits at all".toCharArray())).as("no composition rules")
                .isEmpty();
        char[] long64 = new char[64];
        Arrays.fill(long64, 'x');
        long64[0] = 'y';
        assertThat(passwords.problem(long64)).isEmpty();
        char[] tooLong = new char[257];
        Arrays.fill(tooLong, 'z');
        assertThat(passwords.problem(tooLong)).isPresent();
        // no truncation: two passwords that share their first 72 bytes (bcrypt's limit) still differ
        String a = "a".repeat(80) + "1";
        String b = "a".repeat(80) + "2";
        assertThat(passwords.verify(b.toCharArray(), passwords.hash(a.toCharArray()))).isFalse();
    }

    static final String[] CT_LEAVES = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f"};
    static final String[] CT_ROOTS = {"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

    static List<byte[]> ctLeaves() {
        return Arrays.stream(CT_LEAVES).map(h -> Merkle.leafHash(HEX.parseHex(h))).toList();
    }

    @Test
    void merkle_matchesTheReferenceRootsForTreesOfZeroToEightLeaves() {
        List<byte[]> leaves = ctLeaves();
        for (int n = 0; n <= 8; n++) {
            assertThat(HEX.formatHex(Merkle.root(leaves, n))).as("size " + n).isEqualTo(CT_ROOTS[n]);
        }
    }

    @Test
    void merkleFrontier_growsLeafByLeaf_toTheSameRootsAsTheWholeTree() {
        Merkle.Frontier frontier = new Merkle.Frontier();
        List<byte[]> leaves = ctLeaves();
        assertThat(HEX.formatHex(frontier.root())).isEqualTo(CT_ROOTS[0]);
        for (int n = 1; n <= 8; n++) {
            frontier.add(leaves.get(n - 1));
            assertThat(HEX.formatHex(frontier.root())).as("size " + n).isEqualTo(CT_ROOTS[n]);
        }
        Merkle.Frontier many = new Merkle.Frontier();
        List<byte[]> all = new ArrayList<>();
        for (int i = 0; i < 1_100; i++) {
            all.add(Merkle.leafHash(new byte[]{(byte) i, (byte) (i >> 8)}));
            many.add(all.getLast());
            assertThat(many.root()).as("size " + all.size()).isEqualTo(Merkle.root(all, all.size()));
        }
        assertThat(many.size()).isEqualTo(1_100);
    }

    @Test
    void merkle_inclusionProofs_matchTheReference_andVerify() {
        List<byte[]> leaves = ctLeaves();
        assertThat(Merkle.inclusionProof(leaves, 0, 8)).extracting(HEX::formatHex).containsExactly(
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(Merkle.inclusionProof(leaves, 5, 8)).extracting(HEX::formatHex).containsExactly(
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i < 37; i++) {
            many.add(Merkle.leafHash(new byte[]{(byte) i, (byte) (i * 7)}));
        }
        for (int size = 1; size <= many.size(); size++) {
            byte[] root = Merkle.root(many, size);
            for (int index = 0; index < size; index++) {
                List<byte[]> proof = Merkle.inclusionProof(many, index, size);
                assertThat(Merkle.verifyInclusion(index, size, many.get(index), proof, root)).isTrue();
                assertThat(Merkle.verifyInclusion(index, size, many.get((index + 1) % many.size()), proof, root))
                        .as("another leaf").isFalse();
            }
        }
    }

    @Test
    void merkle_consistencyProofs_verifyForEveryPairOfSizes_andFailForAChangedPrefix() {
        List<byte[]> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add(Merkle.leafHash(new byte[]{(byte) i}));
        }
        for (int n = 1; n <= many.size(); n++) {
            for (int m = 1; m <= n; m++) {
                List<byte[]> proof = Merkle.consistencyProof(many, m, n);
                assertThat(Merkle.verifyConsistency(m, n, Merkle.root(many, m), Merkle.root(many, n), proof)).as(m
                        + " of " + n).isTrue();
            }
        }
        List<byte[]> forged = new ArrayList<>(many);
        forged.set(2, Merkle.leafHash(new byte[]{99}));
        List<byte[]> proof = Merkle.consistencyProof(forged, 5, 20);
        assertThat(Merkle.verifyConsistency(5, 20, Merkle.root(many, 5), Merkle.root(forged, 20), proof)).isFalse();
    }

    static byte[] filled(int length, int value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }
}
