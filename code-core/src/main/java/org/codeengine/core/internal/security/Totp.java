package org.codeengine.core.internal.security;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.LongPredicate;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): 30-second steps from the Unix epoch, HMAC-SHA-1,
 * -256 or -512, 6 or 8 digits. A code is accepted for the current step and one step either side, and only for a step
 * after the last one accepted, so a code is never accepted twice.
 */
public final class Totp {
    /** The HMAC a TOTP uses. */
    public enum Algorithm {
        SHA1("HmacSHA1"), SHA256("HmacSHA256"), SHA512("HmacSHA512");

        final String mac;

        Algorithm(String mac) {
            this.mac = mac;
        }
    }

    public static final long STEP_SECONDS = 30;

    private Totp() {}

    /** {@return the step that {@code at} falls in} */
    public static long step(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), STEP_SECONDS);
    }

    /** {@return the code of one step, left-padded with zeros to {@code digits}} */
    public static String code(byte[] secret, Algorithm algorithm, int digits, long step) {
        if (digits != 6 && digits != 8) {
            throw new IllegalArgumentException("digits must be 6 or 8 but was " + digits);
        }
        byte[] counter = new byte[8];
        for (int i = 7; i >= 0; i--) {
            counter[i] = (byte) (step >>> (8 * (7 - i)));
        }
        byte[] hash;
        try {
            Mac mac = Mac.getInstance(algorithm.mac);
            mac.init(new SecretKeySpec(secret, algorithm.mac));
            hash = mac.doFinal(counter);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm.mac + " is missing from this Java platform", e);
        }
        int offset = hash[hash.length - 1] & 0x0f;
        int binary = ((hash[offset] & 0x7f) << 24) | ((hash[offset + 1] & 0xff) << 16)
                | ((hash[offset + 2] & 0xff) << 8) | (hash[offset + 3] & 0xff);
        int modulus = digits == 6 ? 1_000_000 : 100_000_000;
        String code = Integer.toString(binary % modulus);
        return "0".repeat(digits - code.length()) + code;
    }

    /**
     * {@return the step the code belongs to, if it is right for the step of {@code now} or one either side and that
     *         step comes after {@code lastUsedStep}; comparisons take the same time whatever the code}
     *
     * @param lastUsedStep the step of the last code this user had accepted, or -1
     */
    public static OptionalLong verify(byte[] secret, Algorithm algorithm, int digits, String code, Instant now,
            long lastUsedStep) {
        long matched = match(secret, algorithm, digits, code, now, s -> s > lastUsedStep);
        return matched < 0 ? OptionalLong.empty() : OptionalLong.of(matched);
    }

    /**
     * {@return whether the code is right for the step of {@code now} or one either side, but that step was used already
     *         (at or before {@code lastUsedStep}): a code given again}
     *
     * @param lastUsedStep the step of the last code this user had accepted, or -1
     */
    public static boolean replayed(byte[] secret, Algorithm algorithm, int digits, @Nullable String code, Instant now,
            long lastUsedStep) {
        return match(secret, algorithm, digits, code, now, s -> s <= lastUsedStep) >= 0;
    }

    /** {@return the first step around {@code now} the code is right for that {@code accept} takes, or -1} */
    private static long match(byte[] secret, Algorithm algorithm, int digits, @Nullable String code, Instant now,
            LongPredicate accept) {
        if (code == null || code.length() != digits) {
            return -1;
        }
        byte[] given = code.getBytes(StandardCharsets.US_ASCII);
        long current = step(now);
        long matched = -1;
        for (long s = current - 1; s <= current + 1; s++) {
            boolean equal = MessageDigest.isEqual(given, code(secret, algorithm, digits, s).getBytes(
                    StandardCharsets.US_ASCII));
            if (equal && accept.test(s) && matched < 0) {
                matched = s;
            }
        }
        return matched;
    }

    /** {@return the URI authenticator apps read from a QR code (Google Authenticator's key URI format)} */
    public static String uri(String issuer, String account, byte[] secret, Algorithm algorithm, int digits) {
        String label = encode(issuer) + ":" + encode(account);
        return "otpauth://totp/" + label + "?secret=" + Base32.encode(secret) + "&issuer=" + encode(issuer)
                + "&algorithm=" + algorithm.name().toUpperCase(Locale.ROOT) + "&digits=" + digits + "&period="
                + STEP_SECONDS;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** RFC 4648 base 32 without padding, as authenticator apps expect. */
    static final class Base32 {
        private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

        private Base32() {}

        static String encode(byte[] data) {
            StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
            int buffer = 0;
            int bits = 0;
            for (byte b : data) {
                buffer = (buffer << 8) | (b & 0xff);
                bits += 8;
                while (bits >= 5) {
                    out.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
                    bits -= 5;
                }
            }
            if (bits > 0) {
                out.append(ALPHABET[(buffer << (5 - bits)) & 31]);
            }
            return out.toString();
        }
    }
}
