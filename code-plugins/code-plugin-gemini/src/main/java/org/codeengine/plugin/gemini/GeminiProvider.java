package org.codeengine.plugin.gemini;

import java.net.URI;
import java.util.function.Function;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.Secret;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.plugin.support.ApiKeys;
import org.codeengine.plugin.support.BaseUrls;
import org.jspecify.annotations.Nullable;

/**
 * The {@code gemini} expert provider: Google's Gemini API ({@code generateContent} and
 * {@code streamGenerateContent?alt=sse}). The key comes from the configuration, {@code GEMINI_API_KEY} or
 * {@code GOOGLE_API_KEY}, and travels in the {@code x-goog-api-key} header, never in the URL; the base URL from the
 * configuration, {@code GEMINI_BASE_URL}, or {@code https://generativelanguage.googleapis.com/v1beta}. Settings:
 * {@code stream-idle-timeout}, {@code max-retries}, {@code include-thoughts} ({@code true} asks thinking models for
 * their thought summaries, which arrive as reasoning), {@code schema-field} ({@code responseJsonSchema} by default,
 * {@code responseSchema} for models that only take Google's OpenAPI subset).
 */
public final class GeminiProvider implements ExpertProvider {
    private static final URI DEFAULT_BASE = URI.create("https://generativelanguage.googleapis.com/v1beta");
    private final Function<String, @Nullable String> environment;

    /** The provider, reading the process environment. */
    public GeminiProvider() {
        this(System::getenv);
    }

    /**
     * A provider that reads environment variables through {@code environment} rather than from the process.
     *
     * @param environment reads environment variables
     */
    public GeminiProvider(Function<String, @Nullable String> environment) {
        this.environment = environment;
    }

    @Override
    public String name() {
        return "gemini";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public ExpertClient create(ProviderConfig config) {
        URI base = BaseUrls.base(config, "GEMINI_BASE_URL", DEFAULT_BASE, environment);
        Secret key = ApiKeys.key(config, "GEMINI_API_KEY", environment);
        if (key == null) {
            key = ApiKeys.key(config, "GOOGLE_API_KEY", environment);
        }
        return new GeminiClient(base, key, config);
    }
}
