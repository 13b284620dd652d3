package org.codeengine.plugin.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
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
import redis.clients.jedis.RedisClient;

/**
 * The Redis bus on the local Redis ({@code CODE_TEST_REDIS_URL}, else 127.0.0.1:6379; started by
 * {@code scripts/start-redis}). Tests skip when none answers, except in CI, where they fail.
 */
class RedisTransportTest extends EventTransportContract {
    static final String URL = System.getenv().getOrDefault("CODE_TEST_REDIS_URL", "redis://127.0.0.1:6379");
    static final List<String> STREAMS = new ArrayList<>();

    @BeforeAll
    static void requireServer() {
        EventTransportContract.requireServer(URL, "Redis");
    }

    @AfterAll
    static void dropStreams() {
        try (RedisClient client = RedisClient.create(java.net.URI.create(URL))) {
            STREAMS.forEach(client::del);
        }
    }

    static Map<String, String> settings(String stream) {
        return Map.of("url", URL, "stream", stream, "claimAfter", CLAIM_AFTER.toMillis() + "ms", "block",
                "200ms");
    }

    @Override
    protected EventTransport openFresh() {
        String stream = "code-test-" + UUID.randomUUID();
        STREAMS.add(stream);
        return new RedisEventBusProvider().open(settings(stream));
    }

    @Override
    protected long pending(EventTransport transport, String group) {
        return ((RedisTransport) transport).pending(group);
    }

    @Test
    void publish_capsTheStreamNearMaxLength() {
        String stream = "code-test-" + UUID.randomUUID();
        STREAMS.add(stream);
        Map<String, String> capped = new java.util.HashMap<>(settings(stream));
        capped.put("maxLength", "100");
        try (RedisTransport bus = (RedisTransport) new RedisEventBusProvider().open(capped)) {
            for (int i = 0; i < 10; i++) {
                bus.publish(messages(100));
            }
            assertThat(bus.length()).isBetween(100L, 300L); // MAXLEN ~ trims whole nodes only
        }
    }

    @Test
    void badSettings_areRefused_namingTheSetting() {
        RedisEventBusProvider provider = new RedisEventBusProvider();
        assertThatThrownBy(() -> provider.open(Map.of("maxLength", "-1"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("maxLength").hasMessageContaining("at least");
        assertThatThrownBy(() -> provider.open(Map.of("claimAfter", "30"))).isInstanceOf(
                ConfigurationException.class).hasMessageContaining("claimAfter");
        assertThatThrownBy(() -> provider.open(Map.of("url", "http://x"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("url");
        assertThatThrownBy(() -> provider.open(Map.of("streem", "x"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("streem");
    }

    @Test
    void anUnreachableServer_isUnavailable_andThePasswordStaysHidden() {
        assertThatThrownBy(() -> new RedisEventBusProvider().open(Map.of("url",
                "redis://user:s3cret-pw@127.0.0.1:1"))).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("127.0.0.1:1").hasMessageNotContaining("s3cret-pw");
    }
}
