package org.codeengine.plugin.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.EventTransport;
import org.codeengine.plugin.testkit.EventTransportContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The NATS bus on the local NATS server with JetStream ({@code CODE_TEST_NATS_URL}, else 127.0.0.1:4222; started by
 * {@code scripts/start-nats}). Tests skip when none answers, except in CI, where they fail.
 */
class NatsTransportTest extends EventTransportContract {
    static final String URL = System.getenv().getOrDefault("CODE_TEST_NATS_URL", "nats://127.0.0.1:4222");
    static final List<String> STREAMS = new ArrayList<>();

    @BeforeAll
    static void requireServer() {
        EventTransportContract.requireServer(URL, "NATS");
    }

    @AfterAll
    static void dropStreams() throws Exception {
        io.nats.client.Connection c = io.nats.client.Nats.connect(URL);
        try {
            var management = c.jetStreamManagement();
            for (String stream : STREAMS) {
                management.deleteStream(stream);
            }
        } finally {
            c.close();
        }
    }

    static Map<String, String> settings(String name) {
        return Map.of("url", URL, "stream", name, "subject", "code.test." + name, "ackWait", CLAIM_AFTER.toMillis()
                + "ms", "fetchWait", "200ms");
    }

    static String fresh() {
        String stream = "CODE_TEST_" + UUID.randomUUID().toString().replace("-", "");
        STREAMS.add(stream);
        return stream;
    }

    @Override
    protected EventTransport openFresh() {
        return new NatsEventBusProvider().open(settings(fresh()));
    }

    @Override
    protected long pending(EventTransport transport, String group) {
        return ((NatsTransport) transport).pending(group);
    }

    @Test
    void publish_capsTheStreamAtMaxMessages() {
        Map<String, String> capped = new HashMap<>(settings(fresh()));
        capped.put("maxMessages", "100");
        try (NatsTransport bus = (NatsTransport) new NatsEventBusProvider().open(capped)) {
            for (int i = 0; i < 5; i++) {
                bus.publish(messages(100));
            }
            assertThat(bus.length()).isEqualTo(100);
        }
    }

    @Test
    void theSameEventPublishedTwice_isStoredOnce() {
        try (NatsTransport bus = (NatsTransport) new NatsEventBusProvider().open(settings(fresh()))) {
            List<EventTransport.Message> sent = messages(10);
            bus.publish(sent);
            bus.publish(sent); // a relay that crashed before marking them sent publishes them again
            assertThat(bus.length()).isEqualTo(10);
        }
    }

    @Test
    void badSettings_areRefused_namingTheSetting() {
        NatsEventBusProvider provider = new NatsEventBusProvider();
        assertThatThrownBy(() -> provider.open(Map.of("subject", "code.>"))).isInstanceOf(
                ConfigurationException.class).hasMessageContaining("subject");
        assertThatThrownBy(() -> provider.open(Map.of("ackWait", "soon"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("ackWait");
        assertThatThrownBy(() -> provider.open(Map.of("stream", "a.b"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("stream");
    }

    @Test
    void anUnreachableServer_isUnavailable_andThePasswordStaysHidden() {
        assertThatThrownBy(() -> new NatsEventBusProvider().open(Map.of("url", "nats://user:s3cret-pw@127.0.0.1:1")))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("127.0.0.1:1")
                .hasMessageNotContaining("s3cret-pw");
    }
}
