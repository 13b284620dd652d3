package org.codeengine.core.internal.security;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Password hashing with Argon2id ({@link Argon2id}, on the JDK), stored as a PHC string
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}), and the password policy of ASVS 5: at least 8 characters
 * (15 recommended), up to 256 allowed and never truncated, no composition rules, and not one of the common passwords
 * shipped in {@code common-passwords.txt}.
 */
public final class Passwords {
    /** Argon2id cost: memory in KiB, iterations, lanes. */
    public record Cost(int memoryKiB, int iterations, int parallelism) {
        /** OWASP's minimum for Argon2id: 19 MiB, 2 iterations, 1 lane. */
        public static final Cost OWASP = new Cost(19 * 1024, 2, 1);

        public Cost {
            if (memoryKiB < 8 * parallelism || iterations < 1 || parallelism < 1) {
                throw new IllegalArgumentException("Argon2 needs iterations >= 1, parallelism >= 1 and memoryKiB >= 8"
                        + " per lane");
            }
        }

        boolean below(Cost other) {
            return memoryKiB < other.memoryKiB || iterations < other.iterations || parallelism < other.parallelism;
        }
    }

    public static final int MIN_LENGTH = 8;
    public static final int MAX_LENGTH = 256;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d+),t=(\\d+),p=(\\d+)\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final Cost cost;
    private final SecureRandom random;
    private final Set<String> common;

    public Passwords(Cost cost, SecureRandom random) {
        if (cost.below(Cost.OWASP)) {
            throw new IllegalArgumentException("the Argon2id cost must be at least OWASP's " + Cost.OWASP + " but was "
                    + cost);
        }
        this.cost = cost;
        this.random = random;
        this.common = loadCommon();
    }

    /**
     * {@return why the password may not be used, or empty if it may; the reason never repeats the password}
     */
    public Optional<String> problem(char[] password) {
        int length = Character.codePointCount(password, 0, password.length);
        if (length < MIN_LENGTH) {
            return Optional.of("password must have at least " + MIN_LENGTH + " characters (15 or more recommended)"
                    + " but has " + length);
        }
        if (length > MAX_LENGTH) {
            return Optional.of("password may have at most " + MAX_LENGTH + " characters but has " + length);
        }
        if (common.contains(new String(password).toLowerCase(Locale.ROOT))) {
            return Optional.of("password is one of the most common passwords; choose another");
        }
        return Optional.empty();
    }

    /** {@return the PHC string of the password with a fresh 16-byte salt at this instance's cost} */
    public String hash(char[] password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        byte[] hash = argon2id(utf8(password), salt, null, null, cost, 32);
        return "$argon2id$v=19$m=" + cost.memoryKiB() + ",t=" + cost.iterations() + ",p=" + cost.parallelism() + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /** {@return whether the password matches the PHC string, in time that does not depend on where they differ} */
    public boolean verify(char[] password, String phc) {
        Matcher m = PHC.matcher(phc);
        if (!m.matches()) {
            return false;
        }
        Cost stored = new Cost(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(
                3)));
        byte[] salt = B64D.decode(m.group(4));
        byte[] expected = B64D.decode(m.group(5));
        return MessageDigest.isEqual(expected, argon2id(utf8(password), salt, null, null, stored, expected.length));
    }

    /** {@return whether a hash was made with less than this instance's cost, so it should be redone at next login} */
    public boolean needsRehash(String phc) {
        Matcher m = PHC.matcher(phc);
        return !m.matches() || new Cost(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m
                .group(3))).below(cost);
    }

    /** Argon2id version 1.3 with an optional secret and associated data (RFC 9106). */
    public static byte[] argon2id(byte[] password, byte[] salt, byte @Nullable [] secret,
            byte @Nullable [] associated, Cost cost, int length) {
        return Argon2id.hash(password, salt, secret, associated, cost, length);
    }

    private static byte[] utf8(char[] password) {
        ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] out = Arrays.copyOf(bytes.array(), bytes.limit());
        Arrays.fill(bytes.array(), (byte) 0);
        return out;
    }

    private static Set<String> loadCommon() {
        Set<String> words = new HashSet<>();
        try (InputStream in = Passwords.class.getResourceAsStream("common-passwords.txt")) {
            if (in == null) {
                throw new IllegalStateException("common-passwords.txt is missing from code-core");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    words.add(line.strip().toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Set.copyOf(words);
    }
}
