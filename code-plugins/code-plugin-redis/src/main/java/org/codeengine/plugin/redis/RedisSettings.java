package org.codeengine.plugin.redis;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.ConfigurationException;
import org.codeengine.plugin.support.Settings;

/**
 * The settings of the Redis bus.
 *
 * @param url {@code redis://host:port} (setting {@code url}, default {@code redis://127.0.0.1:6379}); a password in
 *        it is never shown
 * @param stream the stream's key (setting {@code stream}, default {@code code-events})
 * @param maxLength the cap XADD trims the stream to, about (setting {@code maxLength}, default 1000000)
 * @param claimAfter how long a message stays pending with a consumer before another of its group claims it
 *        (setting {@code claimAfter}, such as {@code 30s} or {@code PT30S}, default 30 s)
 * @param block how long one read waits for new messages (setting {@code block}, default 500 ms)
 * @param batch messages read at once (setting {@code batch}, default 100)
 */
record RedisSettings(URI url, String stream, long maxLength, Duration claimAfter, Duration block, int batch) {
    static final Set<String> KNOWN = Set.of("url", "stream", "maxLength", "claimAfter", "block", "batch");

    static RedisSettings of(Map<String, String> settings) {
        Settings.onlyKnown(settings, KNOWN, "redis bus");
        URI url;
        try {
            url = URI.create(settings.getOrDefault("url", "redis://127.0.0.1:6379"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("redis bus setting url must be redis://host:port", e);
        }
        if (!"redis".equals(url.getScheme()) && !"rediss".equals(url.getScheme()) || url.getHost() == null) {
            throw new ConfigurationException("redis bus setting url must be redis://host:port or rediss://host:port",
                    null);
        }
        String stream = settings.getOrDefault("stream", "code-events");
        if (stream.isBlank() || stream.length() > 200) {
            throw new ConfigurationException("redis bus setting stream must be 1 to 200 characters", null);
        }
        return new RedisSettings(url, stream, Settings.positive(settings, "maxLength", 1_000_000), Settings.duration(
                settings, "claimAfter", Duration.ofSeconds(30)),
                Settings.duration(settings, "block", Duration
                        .ofMillis(500)),
                Math.min(10_000, Settings.positive(settings, "batch", 100)));
    }

    /** {@return the address with any user and password left out} */
    String redactedUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    @Override
    public String toString() {
        return "RedisSettings[" + redactedUrl() + ", stream=" + stream + ", maxLength=" + maxLength + ", claimAfter="
                + claimAfter + "]";
    }
}
