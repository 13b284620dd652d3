package org.codeengine.api.spi;

import java.util.Map;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.UnavailableException;

/** An event broker plugin: Redis Streams, NATS JetStream. Found with {@link java.util.ServiceLoader}. */
public interface EventBusProvider extends Plugin {
    /**
     * Connects to the broker.
     *
     * @param settings the plugin's settings (an address, a stream name, limits); each plugin documents its own
     * @return the open transport
     * @throws ConfigurationException naming the setting if one is malformed
     * @throws UnavailableException if the broker cannot be reached
     */
    EventTransport open(Map<String, String> settings);
}
