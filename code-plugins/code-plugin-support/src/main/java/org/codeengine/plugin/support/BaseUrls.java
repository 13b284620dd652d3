package org.codeengine.plugin.support;

import java.net.URI;
import java.util.function.Function;
import org.codeengine.api.spi.ProviderConfig;
import org.jspecify.annotations.Nullable;

/** Where a provider's API lives: the configuration first, then the provider's environment variable, else its own. */
public final class BaseUrls {
    private BaseUrls() {}

    /**
     * {@return the base URL}
     *
     * @param config the provider's configuration
     * @param variable the environment variable, such as {@code OPENAI_BASE_URL}
     * @param otherwise the provider's own base URL
     * @param environment reads the environment ({@code System::getenv})
     */
    public static URI base(ProviderConfig config, String variable, URI otherwise,
            Function<String, @Nullable String> environment) {
        return config.base().orElseGet(() -> {
            String env = environment.apply(variable);
            return env == null || env.isBlank() ? otherwise : URI.create(env.strip());
        });
    }

    /**
     * {@return the endpoint}
     *
     * @param base a base URL, with or without a trailing slash
     * @param path a path below it, without a leading slash ({@code chat/completions}, {@code v1/messages})
     */
    public static URI endpoint(URI base, String path) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b : b + "/") + path);
    }
}
