package org.codeengine.api.spi;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.Secret;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * How to reach one LLM provider. Build one by name rather than by position:
 *
 * <pre>{@code
 * ProviderConfig config = ProviderConfig.builder()
 *         .baseUrl(URI.create("http://127.0.0.1:11434"))   // else the provider's default
 *         .apiKeyRef("env:OPENAI_API_KEY")                 // or .apiKey(secret); else none
 *         .timeout(Duration.ofSeconds(30))                 // 60 s when not set
 *         .setting("stream-idle-timeout", "20s")
 *         .build();
 * }</pre>
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

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a field breaks its rule
     */
    public ProviderConfig {
        Checks.positive(timeout, "timeout");
        settings = Map.copyOf(Checks.notNull(settings, "settings"));
    }

    /** The timeout a {@link #builder()} gives when none is set: 60 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /** {@return a builder with no base URL, no key, a timeout of 60 s and no settings} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return a builder that starts from this configuration} */
    public Builder toBuilder() {
        Builder builder = new Builder().timeout(timeout).settings(settings);
        builder.baseUrl = baseUrl;
        builder.apiKey = apiKey;
        return builder;
    }

    /**
     * Builds a {@link ProviderConfig} by name. Each setter checks its argument at once, and its exception names the
     * argument; not thread-safe.
     */
    public static final class Builder {
        private @Nullable URI baseUrl;
        private @Nullable Secret apiKey;
        private Duration timeout = DEFAULT_TIMEOUT;
        private final Map<String, String> settings = new LinkedHashMap<>();

        private Builder() {}

        /**
         * {@return this builder}
         *
         * @param baseUrl the API's base URL, such as {@code https://api.openai.com/v1}
         * @throws NullPointerException if {@code baseUrl} is null
         * @throws IllegalArgumentException if it is not absolute
         */
        public Builder baseUrl(URI baseUrl) {
            Checks.notNull(baseUrl, "baseUrl");
            if (!baseUrl.isAbsolute()) {
                throw new IllegalArgumentException("baseUrl must be an absolute URL but was '" + baseUrl + "'");
            }
            this.baseUrl = baseUrl;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param apiKey the key itself; never printed
         * @throws NullPointerException if {@code apiKey} is null
         */
        public Builder apiKey(Secret apiKey) {
            this.apiKey = Checks.notNull(apiKey, "apiKey");
            return this;
        }

        /**
         * Names where the key is instead of holding it; the circle of experts resolves it (see {@link #KEY_REF}).
         *
         * @param ref {@code env:NAME}, {@code vault:name} or {@code secret://name}
         * @return this builder
         * @throws NullPointerException if {@code ref} is null
         * @throws IllegalArgumentException if it is blank or not of one of these forms
         */
        public Builder apiKeyRef(String ref) {
            Checks.notBlank(ref, "apiKeyRef");
            if (!ref.startsWith("env:") && !ref.startsWith("vault:") && !ref.startsWith("secret://")) {
                // the value is not echoed: it may be the key itself, given by mistake
                throw new IllegalArgumentException("apiKeyRef must be env:NAME, vault:name or secret://name: a"
                        + " reference to the key, never the key itself");
            }
            return setting(KEY_REF, ref);
        }

        /**
         * {@return this builder}
         *
         * @param timeout the longest one request may take; positive
         * @throws NullPointerException if {@code timeout} is null
         * @throws IllegalArgumentException if it is zero or negative
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Checks.positive(timeout, "timeout");
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param name a provider-specific setting, such as {@code stream-idle-timeout} or {@code organization}
         * @param value its value
         * @throws IllegalArgumentException if {@code name} is blank
         * @throws NullPointerException if {@code name} or {@code value} is null
         */
        public Builder setting(String name, String value) {
            Checks.notBlank(name, "setting name");
            settings.put(name, Checks.notNull(value, "value of setting '" + name + "'"));
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param settings provider-specific settings, added to those set so far
         * @throws IllegalArgumentException if a name is blank
         * @throws NullPointerException if {@code settings}, a name or a value is null
         */
        public Builder settings(Map<String, String> settings) {
            Checks.notNull(settings, "settings").forEach(this::setting);
            return this;
        }

        /** {@return the configuration} */
        public ProviderConfig build() {
            return new ProviderConfig(baseUrl, apiKey, timeout, settings);
        }
    }

    /** {@return the base URL, if one was set} */
    public Optional<URI> base() {
        return Optional.ofNullable(baseUrl);
    }

    /** {@return the key, if one was set} */
    public Optional<Secret> key() {
        return Optional.ofNullable(apiKey);
    }
}
