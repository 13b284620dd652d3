package org.codeengine.core.internal.security.secrets;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** A test a secret must pass beyond its shape, for formats whose content can be checked. */
public enum Check {
    /** none beyond the rule's regex, entropy and placeholders */
    NONE {
        @Override
        boolean passes(String secret) {
            return true;
        }
    },
    /**
     * A private key block's body (between its BEGIN and END lines) decodes as base64 to at least 64 bytes that start
     * as its kind of key does: {@code openssh-key-v1} for OPENSSH, an OpenPGP packet tag for PGP, anything for a body a
     * {@code Proc-Type: 4,ENCRYPTED} header says is encrypted, and a DER sequence for the rest (PKCS#1, PKCS#8,
     * SEC 1). Header lines and PGP's checksum line are left out, and so is what quoting added around the lines
     * ({@code \n} escapes, quotes, indentation, concatenation).
     */
    PRIVATE_KEY_BODY {
        @Override
        boolean passes(String secret) {
            String text = secret.replace("\\n", "\n").replace("\\r", "\n");
            int open = text.indexOf("-----", 5); // the end of the BEGIN line
            int close = text.lastIndexOf("-----END");
            if (open < 0 || close < open) {
                return false;
            }
            String kind = text.substring(0, open).toUpperCase(Locale.ROOT);
            StringBuilder b64 = new StringBuilder(close - open);
            boolean encrypted = kind.contains("ENCRYPTED");
            for (String line : text.substring(open + 5, close).split("\n")) {
                String t = line.strip();
                if (t.contains(":")) {
                    encrypted |= t.toUpperCase(Locale.ROOT).contains("ENCRYPTED");
                    continue; // a header: Proc-Type, DEK-Info, Version, Comment
                }
                if (t.startsWith("=")) {
                    continue; // PGP's checksum
                }
                for (int i = 0; i < t.length(); i++) {
                    char c = t.charAt(i);
                    if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
                            || c == '=') {
                        b64.append(c);
                    }
                }
            }
            byte[] key;
            try {
                key = Base64.getDecoder().decode(b64.toString());
            } catch (IllegalArgumentException e) {
                return false;
            }
            if (key.length < 64) {
                return false;
            }
            if (kind.contains("OPENSSH")) {
                return new String(key, 0, 15, StandardCharsets.ISO_8859_1).equals("openssh-key-v1\0");
            }
            if (kind.contains("PGP")) {
                return (key[0] & 0x80) != 0;
            }
            return encrypted || key[0] == 0x30;
        }
    },
    /**
     * A JSON Web Token's header and payload decode (base64url) to JSON objects, the header naming its {@code alg}; a
     * token without a signature must say {@code "alg":"none"} (an unsigned token is still a credential where a server
     * accepts it).
     */
    JWT {
        @Override
        boolean passes(String secret) {
            String[] parts = secret.split("\\.", -1);
            if (parts.length != 3) {
                return false;
            }
            String header = decode(parts[0]);
            String payload = decode(parts[1]);
            if (header == null || payload == null || !isObject(header) || !isObject(payload) || !header.contains(
                    "\"alg\"")) {
                return false;
            }
            return !parts[2].isEmpty() || header.replace(" ", "").toLowerCase(Locale.ROOT).contains("\"alg\":\"none\"");
        }

        private static boolean isObject(String json) {
            String t = json.strip();
            return t.startsWith("{") && t.endsWith("}");
        }

        private static @Nullable String decode(String part) {
            try {
                return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    };

    /** {@return whether {@code secret} passes this check} */
    abstract boolean passes(String secret);

    /**
     * {@return the check}
     *
     * @param name a check's name as configurations write it ({@code private-key-body}, {@code jwt}), or empty
     * @throws IllegalArgumentException if no check has that name
     */
    public static Check named(String name) {
        return switch (name) {
            case "", "none" -> NONE;
            case "private-key-body" -> PRIVATE_KEY_BODY;
            case "jwt" -> JWT;
            default -> throw new IllegalArgumentException("check: unknown '" + name
                    + "'; one of none, private-key-body, jwt");
        };
    }
}
