/** The {@code redis} event bus: CODE's events on a Redis stream, read by consumer groups. */
module org.codeengine.plugin.redis {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;
    requires redis.clients.jedis;
    requires org.slf4j;

    provides org.codeengine.api.spi.EventBusProvider with org.codeengine.plugin.redis.RedisEventBusProvider;
}
