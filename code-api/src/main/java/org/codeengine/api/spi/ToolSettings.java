package org.codeengine.api.spi;

import java.nio.file.Path;
import org.codeengine.api.Secret;
import org.codeengine.api.internal.Checks;
import org.codeengine.api.security.SecretRef;
import tools.jackson.databind.JsonNode;

/**
 * The host's configuration of one tool provider, such as the {@code tools.files} section of the app's
 * {@code config.yaml}: roots, allow-lists, connections.
 *
 * @param settings the provider's section, an object; empty when the host enabled it without settings
 * @param secrets resolves secret references ({@code env:NAME}, {@code vault:name}) found in the settings
 * @param home the host's home folder, against which relative paths in the settings are resolved
 */
public record ToolSettings(JsonNode settings, SecretResolver secrets, Path home) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if the settings are not an object
     */
    public ToolSettings {
        Checks.notNull(settings, "settings");
        if (!settings.isObject()) {
            throw new IllegalArgumentException("settings must be a JSON object");
        }
        Checks.notNull(secrets, "secrets");
        Checks.notNull(home, "home");
    }

    /** Resolves a secret reference when a tool needs the secret, never earlier. */
    @FunctionalInterface
    public interface SecretResolver {
        /**
         * {@return the secret}
         *
         * @param ref where the secret lives
         * @throws org.codeengine.api.NotFoundException if there is none
         */
        Secret resolve(SecretRef ref);
    }
}
