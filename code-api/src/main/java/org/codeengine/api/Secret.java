package org.codeengine.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.codeengine.api.internal.Checks;

/**
 * A secret value (an API key, a password, a token) that cannot leak by accident: {@code toString} prints
 * {@code [redacted]}, and equality compares in constant time. Only {@link #reveal()} gives the value, for the one place
 * that must send or check it.
 */
public final class Secret {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /**
     * {@return the wrapped secret}
     *
     * @param value the secret; not empty
     * @throws IllegalArgumentException if {@code value} is empty
     */
    public static Secret of(String value) {
        Checks.notNull(value, "secret");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("secret must not be empty");
        }
        return new Secret(value);
    }

    /** {@return the secret itself; never log, print or store it} */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret that && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                that.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0; // a hash of the value would leak information about it
    }

    @Override
    public String toString() {
        return "[redacted]";
    }
}
