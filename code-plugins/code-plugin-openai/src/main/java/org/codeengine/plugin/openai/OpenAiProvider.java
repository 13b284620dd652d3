package org.codeengine.plugin.openai;

import java.net.URI;
import java.util.function.Function;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.plugin.support.ApiKeys;
import org.codeengine.plugin.support.BaseUrls;
import org.jspecify.annotations.Nullable;

/**
 * The {@code openai} expert provider: OpenAI's Chat Completions API, and through {@code baseUrl} every server that
 * speaks it (DeepSeek, OpenRouter, vLLM, llama.cpp server, LM Studio, Ollama's {@code /v1}). The key comes from the
 * configuration or {@code OPENAI_API_KEY} (none is sent when there is none, for local servers); the base URL from the
 * configuration, {@code OPENAI_BASE_URL}, or {@code https://api.openai.com/v1}. Settings: {@code organization},
 * {@code project}, {@code max-tokens-field} ({@code max_tokens} by default, {@code max_completion_tokens} for
 * OpenAI's reasoning models), {@code stream-idle-timeout}, {@code max-retries}.
 */
public final class OpenAiProvider implements ExpertProvider {
    private static final URI DEFAULT_BASE = URI.create("https://api.openai.com/v1");
    private final Function<String, @Nullable String> environment;

    /** The provider, reading the process environment. */
    public OpenAiProvider() {
        this(System::getenv);
    }

    /**
     * A provider that reads environment variables through {@code environment} rather than from the process.
     *
     * @param environment reads environment variables
     */
    public OpenAiProvider(Function<String, @Nullable String> environment) {
        this.environment = environment;
    }

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public ExpertClient create(ProviderConfig config) {
        URI base = BaseUrls.base(config, "OPENAI_BASE_URL", DEFAULT_BASE, environment);
        return new OpenAiClient(base, ApiKeys.key(config, "OPENAI_API_KEY", environment), config);
    }
}
