package org.codeengine.core.internal.security.secrets;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Values that have a secret's shape but are placeholders: the example keys providers print in their documentation,
 * runs of six of one character or of consecutive ones ({@code 000000}, {@code 123456}, {@code abcdef}), a short
 * unit repeated ({@code abc123abc123}), and words people put where a key goes ({@code example}, {@code your_key},
 * {@code changeme}). A random key holds none of these but by a chance of about one in ten thousand (hex) to one in
 * a million (base 62).
 */
final class Placeholders {
    /** Example keys from providers' documentation, published to be copied. */
    private static final Set<String> DOC_EXAMPLES = Set.of(
            "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AKIAI44QH8DHBEXAMPLE",
            "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
            "pk_test_TYooMQauvdEDq54NiTphI7jx", "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5"
                    + "MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
            "xoxb-not-a-real-token-this-will-not-work");

    /** Words that mark a placeholder wherever they sit in the value (lower case). */
    private static final List<String> MARKERS = List.of("example", "xxxx", "****", "placeholder", "your_", "your-",
            "yourkey", "yourtoken", "yoursecret", "changeme", "change_me", "dummy", "redacted", "sample", "abc123",
            "fake", "<", ">", "${", "{{", "insert", "replace_", "notreal", "not-a-real", "not_a_real", "mytoken",
            "mysecret", "mykey", "secret_here", "token_here", "key_here");

    /** Words that, for the generic rule only, mark a value as not a secret. */
    static final List<String> STOPWORDS = List.of("password", "passwd", "secret", "token", "apikey", "api_key",
            "private", "public", "localhost", "undefined", "function", "return", "string", "boolean", "default",
            "config", "settings", "environ", "getenv", "process.env", "variable", "value", "true", "false", "null",
            "none", "test", "admin", "user", "login", "qwerty", "letmein", "welcome", "hunter2", "lorem", "ipsum");

    private Placeholders() {}

    /** {@return whether {@code value} is an example key a provider published in its documentation} */
    static boolean isDocExample(String value) {
        return DOC_EXAMPLES.contains(value);
    }

    /** {@return whether {@code value} is a placeholder rather than a secret} */
    static boolean isPlaceholder(String value) {
        if (isDocExample(value)) {
            return true;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        for (String m : MARKERS) {
            if (lower.contains(m)) {
                return true;
            }
        }
        return hasRun(value) || isRepeatedUnit(value);
    }

    /** {@return whether six characters in a row are the same, or each one more (or one less) than the last} */
    static boolean hasRun(String s) {
        int same = 1;
        int up = 1;
        int down = 1;
        for (int i = 1; i < s.length(); i++) {
            char a = s.charAt(i - 1);
            char b = s.charAt(i);
            boolean alnum = Character.isLetterOrDigit(a) && Character.isLetterOrDigit(b);
            same = b == a ? same + 1 : 1;
            up = alnum && b == a + 1 ? up + 1 : 1;
            down = alnum && b == a - 1 ? down + 1 : 1;
            if (same >= 6 || up >= 6 || down >= 6) {
                return true;
            }
        }
        return false;
    }

    /** {@return whether the value is a unit of at most four characters written again and again} */
    static boolean isRepeatedUnit(String s) {
        if (s.length() < 8) {
            return false;
        }
        for (int unit = 1; unit <= 4; unit++) {
            boolean repeats = true;
            for (int i = unit; i < s.length() && repeats; i++) {
                repeats = s.charAt(i) == s.charAt(i - unit);
            }
            if (repeats) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return whether the generic rule should let this value pass: it holds a stop word, or not both a letter and a
     *     digit, or is longer than 128 characters, or has a JSON Web Token's shape (the jwt rule, which decodes
     *     it, decides)}
     */
    static boolean isGenericNoise(String value) {
        if (value.length() > 128 || value.startsWith("eyJ") && value.indexOf('.') > 0) {
            return true;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        for (String w : STOPWORDS) {
            if (lower.contains(w)) {
                return true;
            }
        }
        return value.chars().noneMatch(Character::isDigit) || value.chars().noneMatch(Character::isLetter);
    }
}
