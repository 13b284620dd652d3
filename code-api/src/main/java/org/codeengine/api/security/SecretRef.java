package org.codeengine.api.security;

import java.util.Locale;
import org.codeengine.api.InvalidRequestException;
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
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if {@code scheme} is not {@code env} or {@code vault}, or {@code name} is blank
     */
    public SecretRef {
        Checks.notNull(scheme, "scheme");
        if (!scheme.equals("env") && !scheme.equals("vault")) {
            throw new IllegalArgumentException("scheme must be 'env' or 'vault' but was '" + scheme + "'");
        }
        Checks.notBlank(name, "name");
    }

    /**
     * {@return the reference}
     *
     * @param text {@code scheme:name}, or {@code secret://name} for the vault
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

    /**
     * Reads a reference that a plugin's setting holds, for settings that must never hold the secret itself.
     *
     * @param setting the setting's name, for the message
     * @param text {@code vault:name}, {@code secret://name} or {@code env:NAME}; the name made of letters, digits,
     *     {@code _}, {@code -}, {@code .} and {@code /}, so that it can stand in a permission
     *     ({@code secret:vault:<name>}) and holds no placeholder
     * @return the reference
     * @throws InvalidRequestException naming the setting and the rule, never echoing a text that is not a reference
     */
    public static SecretRef inSetting(String setting, String text) {
        Checks.notNull(text, setting);
        SecretRef ref;
        try {
            ref = parse(text.strip());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("setting '" + setting + "' must be a secret reference, vault:NAME or"
                    + " env:NAME, not the secret itself", null);
        }
        if (!ref.name().matches("[A-Za-z0-9_./-]+")) {
            throw new InvalidRequestException("setting '" + setting + "' must name a secret with letters, digits, '_',"
                    + " '-', '.' and '/' (no placeholders) but was '" + ref + "'", null);
        }
        return ref;
    }

    /** {@return the permission a caller needs to use this secret: {@code secret:<scheme>:<name in lower case>}} */
    public Permission permission() {
        return new Permission("secret", scheme, name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return scheme + ":" + name;
    }
}
