package org.codeengine.plugin.redis;

import java.util.Map;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.EventBusProvider;
import org.codeengine.api.spi.EventTransport;

/**
 * The {@code redis} event bus: events on a Redis stream. Settings: {@code url}, {@code stream}, {@code maxLength},
 * {@code claimAfter}, {@code block}, {@code batch} (see {@link RedisSettings}).
 */
public final class RedisEventBusProvider implements EventBusProvider {
    /** The provider as {@link java.util.ServiceLoader} makes it. */
    public RedisEventBusProvider() {}

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public EventTransport open(Map<String, String> settings) {
        return new RedisTransport(RedisSettings.of(settings));
    }
}
