package org.codeengine.plugin.ollama;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.function.Function;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.plugin.support.ApiKeys;
import org.jspecify.annotations.Nullable;

/**
 * The {@code ollama} expert provider: Ollama's native chat API ({@code POST /api/chat}, NDJSON streaming). The base
 * URL comes from the configuration, else {@code OLLAMA_HOST} read as the Ollama CLI reads it ({@code host},
 * {@code host:port} or a URL; no scheme means {@code http} and port 11434; {@code 0.0.0.0} means this machine), else
 * {@code http://127.0.0.1:11434}; a base ending in {@code /api} ({@code https://ollama.com/api}) is taken as the API
 * itself. Ollama needs no key; one from the configuration or {@code OLLAMA_API_KEY} (for Ollama's cloud or a proxy)
 * is sent as a bearer token. Settings: {@code keep-alive} (how long the model stays loaded: {@code 5m}, {@code 1h},
 * seconds, {@code -1} for ever), {@code think} ({@code true}, {@code false}, or {@code low}/{@code medium}/
 * {@code high}/{@code max} for models that take a level), {@code stream-idle-timeout}, {@code max-retries}.
 */
public final class OllamaProvider implements ExpertProvider {
    private static final int DEFAULT_PORT = 11434;
    private static final URI DEFAULT_BASE = URI.create("http://127.0.0.1:" + DEFAULT_PORT);
    private final Function<String, @Nullable String> environment;

    /** The provider, reading the process environment. */
    public OllamaProvider() {
        this(System::getenv);
    }

    /**
     * A provider that reads environment variables through {@code environment} rather than from the process.
     *
     * @param environment reads environment variables
     */
    public OllamaProvider(Function<String, @Nullable String> environment) {
        this.environment = environment;
    }

    @Override
    public String name() {
        return "ollama";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public ExpertClient create(ProviderConfig config) {
        URI base = config.base().orElseGet(() -> host(environment.apply("OLLAMA_HOST")));
        return new OllamaClient(base, ApiKeys.key(config, "OLLAMA_API_KEY", environment), config);
    }

    /**
     * {@return the base URL it names: without a scheme http and port 11434 ({@code ollama.com} alone is Ollama's
     *         cloud over https), with one the scheme's port; the bind-all addresses 0.0.0.0 and :: become loopback}
     *
     * @param value {@code OLLAMA_HOST}: empty, {@code host}, {@code host:port}, or {@code scheme://host[:port][/path]}
     * @throws ConfigurationException if it is no host
     */
    static URI host(@Nullable String value) {
        String text = value == null ? "" : value.strip();
        if (text.isEmpty()) {
            return DEFAULT_BASE;
        }
        if (text.equals("ollama.com")) {
            return URI.create("https://ollama.com");
        }
        boolean schemeless = !text.contains("://");
        try {
            URI uri = new URI(schemeless ? "http://" + text : text);
            String host = uri.getHost();
            if (host == null || uri.getScheme() == null) {
                throw new URISyntaxException(text, "no host");
            }
            host = switch (host) {
                case "0.0.0.0" -> "127.0.0.1";
                case "[::]" -> "[::1]";
                default -> host;
            };
            int port = uri.getPort() >= 0 ? uri.getPort() : schemeless ? DEFAULT_PORT : -1;
            return new URI(uri.getScheme() + "://" + host + (port < 0 ? "" : ":" + port) + (uri.getRawPath() == null
                    ? ""
                    : uri.getRawPath()));
        } catch (URISyntaxException e) {
            throw new ConfigurationException("OLLAMA_HOST must be host, host:port or a URL but was '" + text + "'",
                    null);
        }
    }
}
