/** The {@code nats} event bus: CODE's events on a NATS JetStream stream, read by durable consumers. */
module org.codeengine.plugin.nats {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;
    requires io.nats.jnats;
    requires org.slf4j;

    provides org.codeengine.api.spi.EventBusProvider with org.codeengine.plugin.nats.NatsEventBusProvider;
}
