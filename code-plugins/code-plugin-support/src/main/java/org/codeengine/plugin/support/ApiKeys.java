package org.codeengine.plugin.support;

import java.util.function.Function;
import org.codeengine.api.Secret;
import org.codeengine.api.spi.ProviderConfig;
import org.jspecify.annotations.Nullable;

/** Where a provider's key comes from: the configuration first, then the provider's environment variable. */
public final class ApiKeys {
    private ApiKeys() {}

    /**
     * {@return the key, or null when neither has one}
     *
     * @param config the provider's configuration
     * @param variable the environment variable, such as {@code OPENAI_API_KEY}
     * @param environment reads the environment ({@code System::getenv})
     */
    public static @Nullable Secret key(ProviderConfig config, String variable,
            Function<String, @Nullable String> environment) {
        if (config.apiKey() != null) {
            return config.apiKey();
        }
        String value = environment.apply(variable);
        return value == null || value.isBlank() ? null : Secret.of(value.strip());
    }
}
