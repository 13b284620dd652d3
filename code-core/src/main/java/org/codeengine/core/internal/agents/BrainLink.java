package org.codeengine.core.internal.agents;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.RetriableException;
import org.codeengine.api.Secret;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Price;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.ToolSpec;
import org.codeengine.core.internal.experts.ProviderKeys;
import org.jspecify.annotations.Nullable;

/**
 * The connection of one run to what thinks for it: one model, or a panel's experts in order, the next taking over
 * when one is unavailable (a retriable failure).
 */
public final class BrainLink implements AutoCloseable {
    /** How the engine reaches models: provider plugins, their configurations and the named panels. */
    public record Models(Map<String, ExpertProvider> providers, Map<String, ProviderConfig> configs,
            Map<String, ExpertPanel> panels, Function<SecretRef, Secret> secrets) {}

    /** One model the run may speak with. */
    private record Seat(ExpertClient client, String model, Price price) {}

    /** A reply and what it cost. */
    record Reply(ChatResponse response, double costUsd) {}

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    private final List<Seat> seats;

    private BrainLink(List<Seat> seats) {
        this.seats = seats;
    }

    /**
     * @throws ConfigurationException if the brain names a provider no plugin provides, a panel the engine does not
     *         have, or a provider rejects its configuration
     */
    static BrainLink open(Brain brain, Models models) {
        List<Seat> seats = new ArrayList<>();
        try {
            switch (brain) {
                case Brain.Model m -> seats.add(seat(m.provider(), m.model(), m.price(), config(m.provider(), models),
                        models));
                case Brain.Panel p -> {
                    ExpertPanel panel = models.panels().get(p.name());
                    if (panel == null) {
                        throw new ConfigurationException("brain.panel names the panel '" + p.name() + "', which the "
                                + "engine was not given; panels: " + models.panels().keySet(), null);
                    }
                    for (ExpertSpec e : panel.experts()) {
                        Price price = panel.prices().getOrDefault(e.provider() + "/" + e.model(), panel.prices()
                                .getOrDefault(e.model(), Price.FREE));
                        ProviderConfig config = panel.providers().getOrDefault(e.provider(), new ProviderConfig(null,
                                null, panel.expertTimeout(), Map.of()));
                        seats.add(seat(e.provider(), e.model(), price, config, models));
                    }
                }
            }
        } catch (RuntimeException e) {
            seats.forEach(s -> s.client().close());
            throw e;
        }
        return new BrainLink(List.copyOf(seats));
    }

    private static ProviderConfig config(String provider, Models models) {
        ProviderConfig config = models.configs().get(provider);
        if (config != null) {
            return config;
        }
        for (ExpertPanel panel : models.panels().values()) {
            ProviderConfig named = panel.providers().get(provider);
            if (named != null) {
                return named;
            }
        }
        return new ProviderConfig(null, null, DEFAULT_TIMEOUT, Map.of());
    }

    private static Seat seat(String provider, String model, Price price, ProviderConfig config, Models models) {
        ExpertProvider plugin = models.providers().get(provider);
        if (plugin == null) {
            throw new ConfigurationException("brain.provider names '" + provider + "', which no plugin provides; "
                    + "providers found: " + models.providers().keySet(), null);
        }
        return new Seat(plugin.create(ProviderKeys.resolve(provider, config, models.secrets())), model, price);
    }

    /**
     * Asks the first seat that answers.
     *
     * @throws org.codeengine.api.CodeException the last seat's failure, when none answered
     */
    Reply ask(List<ChatMessage> messages, int maxTokens, List<ToolSpec> tools) {
        RetriableException last = null;
        for (Seat seat : seats) {
            try {
                ChatResponse response = seat.client().complete(new ChatRequest(seat.model(), messages, 0, maxTokens,
                        List.of(), null, tools));
                return new Reply(response, seat.price().cost(response.usage()));
            } catch (RetriableException e) {
                last = e;
            }
        }
        throw failure(last);
    }

    private static RetriableException failure(@Nullable RetriableException last) {
        if (last == null) {
            throw new IllegalStateException("a brain has at least one seat");
        }
        return last;
    }

    @Override
    public void close() {
        seats.forEach(s -> s.client().close());
    }
}
