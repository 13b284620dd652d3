package org.codeengine.core.internal.experts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.codeengine.api.CodeException;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.Secret;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.spi.ProviderConfig;

/** Resolves a provider configuration's key reference before the configuration reaches the provider. */
public final class ProviderKeys {
    private ProviderKeys() {}

    /**
     * Resolves the setting {@link ProviderConfig#KEY_REF} into the key, so the provider never sees the reference.
     *
     * @throws ConfigurationException if the reference is malformed or cannot be resolved
     */
    public static ProviderConfig resolve(String provider, ProviderConfig config, Function<SecretRef, Secret> secrets) {
        Map<String, String> settings = new LinkedHashMap<>(config.settings());
        String ref = settings.remove(ProviderConfig.KEY_REF);
        if (ref == null) {
            return config;
        }
        Secret key;
        try {
            key = secrets.apply(SecretRef.parse(ref));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("the setting " + ProviderConfig.KEY_REF + " of provider '" + provider
                    + "' must be env:NAME, vault:name or secret://name", null);
        } catch (CodeException e) {
            throw new ConfigurationException("the key of provider '" + provider + "' cannot be resolved: " + e
                    .getMessage(), null);
        }
        return new ProviderConfig(config.baseUrl(), config.apiKey() != null ? config.apiKey() : key, config.timeout(),
                settings);
    }
}
