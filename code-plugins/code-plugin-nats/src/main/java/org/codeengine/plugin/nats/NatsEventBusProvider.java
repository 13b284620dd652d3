package org.codeengine.plugin.nats;

import java.util.Map;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.EventBusProvider;
import org.codeengine.api.spi.EventTransport;

/**
 * The {@code nats} event bus: events on a NATS JetStream stream. Settings: {@code url}, {@code stream},
 * {@code subject}, {@code maxMessages}, {@code ackWait}, {@code fetchWait}, {@code batch} (see {@link NatsSettings}).
 */
public final class NatsEventBusProvider implements EventBusProvider {
    /** The provider as {@link java.util.ServiceLoader} makes it. */
    public NatsEventBusProvider() {}

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public EventTransport open(Map<String, String> settings) {
        return new NatsTransport(NatsSettings.of(settings));
    }
}
