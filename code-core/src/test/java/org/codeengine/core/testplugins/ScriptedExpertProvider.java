package org.codeengine.core.testplugins;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.RateLimits;

/**
 * An expert provider for tests named {@code scripted}: each model name is looked up in {@link #SCRIPTS}, whose
 * function answers the request (and may sleep, throw, or call a local HTTP server). Calls are counted per model.
 */
public final class ScriptedExpertProvider implements ExpertProvider {
    /** Model name to behaviour; tests use unique model names. */
    public static final Map<String, Function<ChatRequest, String>> SCRIPTS = new ConcurrentHashMap<>();
    /** Model name to the rate limits its replies report. */
    public static final Map<String, RateLimits> LIMITS = new ConcurrentHashMap<>();
    /** Model name to the number of calls it received. */
    public static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public ExpertClient create(ProviderConfig config) {
        return new ExpertClient() {
            @Override
            public ChatResponse complete(ChatRequest request) {
                CALLS.computeIfAbsent(request.model(), m -> new AtomicInteger()).incrementAndGet();
                Function<ChatRequest, String> script = SCRIPTS.get(request.model());
                if (script == null) {
                    throw new ConfigurationException("no script for model " + request.model(), null);
                }
                String reply = script.apply(request);
                return new ChatResponse(reply, request.model(), ChatResponse.FinishReason.STOP, new Usage(100, reply
                        .length()), Duration.ofMillis(1), null, List.of(), null, null, LIMITS.getOrDefault(
                                request
                                        .model(),
                                RateLimits.UNKNOWN));
            }

            @Override
            public void close() {}
        };
    }

    /** {@return the calls model {@code model} received so far} */
    public static int calls(String model) {
        AtomicInteger n = CALLS.get(model);
        return n == null ? 0 : n.get();
    }
}
