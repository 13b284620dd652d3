package org.codeengine.api.spi;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.Secret;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * How to reach one LLM provider.
 *
 * @param baseUrl the API's base URL, or {@code null} for the provider's default
 * @param apiKey the key, or {@code null} for servers that need none (a local model server); never printed
 * @param timeout the longest one request may take; positive
 * @param settings provider-specific settings (organisation, API version, ...); copied
 */
public record ProviderConfig(@Nullable URI baseUrl, @Nullable Secret apiKey, Duration timeout,
        Map<String, String> settings) {
    /**
     * A setting that names where the key is instead of holding it: {@code env:OPENAI_API_KEY}, {@code vault:name} or
     * {@code secret://name}. The circle of experts resolves it (the vault through CODE's security) before it hands
     * the configuration to the provider, as {@link #apiKey()}.
     */
    public static final String KEY_REF = "api-key-ref";

    /** @throws IllegalArgumentException if a field breaks its rule */
    public ProviderConfig {
        Checks.positive(timeout, "timeout");
        settings = Map.copyOf(Checks.notNull(settings, "settings"));
    }

    /** @return the base URL, if one was set */
    public Optional<URI> base() {
        return Optional.ofNullable(baseUrl);
    }

    /** @return the key, if one was set */
    public Optional<Secret> key() {
        return Optional.ofNullable(apiKey);
    }
}
