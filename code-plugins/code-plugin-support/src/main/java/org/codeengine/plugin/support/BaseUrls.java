package org.codeengine.plugin.support;

import java.net.URI;
import java.util.function.Function;
import org.codeengine.api.spi.ProviderConfig;
import org.jspecify.annotations.Nullable;

/** Where a provider's API lives: the configuration first, then the provider's environment variable, else its own. */
public final class BaseUrls {
    private BaseUrls() {}

    /**
     * @param config the provider's configuration
     * @param variable the environment variable, such as {@code OPENAI_BASE_URL}
     * @param otherwise the provider's own base URL
     * @param environment reads the environment ({@code System::getenv})
     * @return the base URL
     */
    public static URI base(ProviderConfig config, String variable, URI otherwise,
            Function<String, @Nullable String> environment) {
        return config.base().orElseGet(() -> {
            String env = environment.apply(variable);
            return env == null || env.isBlank() ? otherwise : URI.create(env.strip());
        });
    }
}
