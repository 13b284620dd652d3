package org.codeengine.plugin.mcp;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;

/**
 * An expert provider whose models are MCP clients: a server without provider keys binds each request that wants a
 * model ({@link #bind}) and names the key it got as the model, and the provider's client sends that request's
 * client a {@code sampling/createMessage} for each completion ({@link SamplingClient}). Given to an engine as an
 * instance (it is no ServiceLoader plugin: only the server that binds requests can serve them). Thread-safe.
 */
public final class SamplingProvider implements ExpertProvider {
    /** The provider's name. */
    public static final String NAME = "mcp-sampling";
    private final Map<String, McpRequestContext> bound = new ConcurrentHashMap<>();

    /** A provider with no request bound yet. */
    public SamplingProvider() {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    /**
     * {@return the model name that reaches that client, until {@link #unbind}}
     *
     * @param context a request whose client is to answer
     */
    public String bind(McpRequestContext context) {
        String key = "client-" + UUID.randomUUID();
        bound.put(key, context);
        return key;
    }

    /** @param model a name {@link #bind} gave; its request has ended */
    public void unbind(String model) {
        bound.remove(model);
    }

    @Override
    public ExpertClient create(ProviderConfig config) {
        return new ExpertClient() {
            @Override
            public ChatResponse complete(ChatRequest request) {
                McpRequestContext context = bound.get(request.model());
                if (context == null) {
                    throw new ConfigurationException("no MCP request is bound to the model '" + request.model()
                            + "': its request has ended", null);
                }
                return new SamplingClient(context).complete(request);
            }

            @Override
            public void close() {}
        };
    }
}
