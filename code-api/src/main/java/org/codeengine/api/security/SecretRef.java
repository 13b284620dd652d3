package org.codeengine.api.security;

import org.codeengine.api.internal.Checks;

/**
 * A reference to a secret, resolved when it is needed so that configuration files hold no secrets:
 * {@code env:OPENAI_API_KEY} reads an environment variable, {@code vault:openai/key} (or {@code secret://openai/key})
 * reads CODE's secret vault.
 *
 * @param scheme where the secret lives: {@code env} or {@code vault}
 * @param name the variable or vault entry name; not blank
 */
public record SecretRef(String scheme, String name) {
    /** @throws IllegalArgumentException if {@code scheme} is not {@code env} or {@code vault}, or {@code name} is blank */
    public SecretRef {
        Checks.notNull(scheme, "scheme");
        if (!scheme.equals("env") && !scheme.equals("vault")) {
            throw new IllegalArgumentException("scheme must be 'env' or 'vault' but was '" + scheme + "'");
        }
        Checks.notBlank(name, "name");
    }

    /**
     * @param text {@code scheme:name}, or {@code secret://name} for the vault
     * @return the reference
     * @throws IllegalArgumentException if {@code text} has no scheme or an unknown one
     */
    public static SecretRef parse(String text) {
        Checks.notNull(text, "secretRef");
        if (text.startsWith("secret://")) {
            return new SecretRef("vault", text.substring("secret://".length()));
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("secretRef must be scheme:name but was '" + text + "'");
        }
        return new SecretRef(text.substring(0, colon), text.substring(colon + 1));
    }

    @Override
    public String toString() {
        return scheme + ":" + name;
    }
}
