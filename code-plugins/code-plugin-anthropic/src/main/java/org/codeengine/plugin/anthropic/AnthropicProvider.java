package org.codeengine.plugin.anthropic;

import java.net.URI;
import java.util.function.Function;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.Secret;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.plugin.support.ApiKeys;
import org.codeengine.plugin.support.BaseUrls;
import org.jspecify.annotations.Nullable;

/**
 * The {@code anthropic} expert provider: Anthropic's Messages API ({@code POST /v1/messages}), complete and streamed.
 * The key comes from the configuration or {@code ANTHROPIC_API_KEY} and is sent as {@code x-api-key}; the base URL
 * from the configuration, {@code ANTHROPIC_BASE_URL}, or {@code https://api.anthropic.com}. A key is required for
 * Anthropic's own API; with another base URL (a gateway) none is sent when there is none.
 *
 * <p>Settings: {@code anthropic-version} (the {@code anthropic-version} header, {@code 2023-06-01} by default),
 * {@code anthropic-beta} (sent as the {@code anthropic-beta} header when set), {@code thinking-budget} (tokens of
 * extended thinking; off when not set), {@code stream-idle-timeout}, {@code max-retries}. How requests and replies
 * are translated is told in {@link AnthropicClient}.
 */
public final class AnthropicProvider implements ExpertProvider {
    private static final URI DEFAULT_BASE = URI.create("https://api.anthropic.com");
    private final Function<String, @Nullable String> environment;

    /** The provider, reading the process environment. */
    public AnthropicProvider() {
        this(System::getenv);
    }

    /**
     * A provider that reads environment variables through {@code environment} rather than from the process.
     *
     * @param environment reads environment variables
     */
    public AnthropicProvider(Function<String, @Nullable String> environment) {
        this.environment = environment;
    }

    @Override
    public String name() {
        return "anthropic";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public ExpertClient create(ProviderConfig config) {
        URI base = BaseUrls.base(config, "ANTHROPIC_BASE_URL", DEFAULT_BASE, environment);
        Secret key = ApiKeys.key(config, "ANTHROPIC_API_KEY", environment);
        if (key == null && base.equals(DEFAULT_BASE)) {
            throw new ConfigurationException("the anthropic provider needs an API key: set one in the configuration"
                    + " or in ANTHROPIC_API_KEY", null);
        }
        return new AnthropicClient(base, key, config);
    }
}
