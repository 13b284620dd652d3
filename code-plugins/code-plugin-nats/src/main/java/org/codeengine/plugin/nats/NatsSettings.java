package org.codeengine.plugin.nats;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.codeengine.api.ConfigurationException;
import org.codeengine.plugin.support.Settings;

/**
 * The settings of the NATS bus.
 *
 * @param url {@code nats://host:port} (setting {@code url}, default {@code nats://127.0.0.1:4222}); a user and
 *        password in it are used and never shown
 * @param stream the JetStream stream (setting {@code stream}, default {@code CODE_EVENTS}); created if missing
 * @param subject the subject events are published on (setting {@code subject}, default {@code code.events})
 * @param maxMessages the stream keeps at most this many, the oldest dropped first (setting {@code maxMessages},
 *        default 1000000)
 * @param ackWait how long a message stays unacknowledged with a consumer before JetStream delivers it again
 *        (setting {@code ackWait}, such as {@code 30s}, default 30 s)
 * @param fetchWait how long one pull waits for new messages (setting {@code fetchWait}, default 500 ms)
 * @param batch messages pulled at once (setting {@code batch}, default 100)
 */
record NatsSettings(URI url, String stream, String subject, int maxMessages, Duration ackWait, Duration fetchWait,
        int batch) {
    static final Set<String> KNOWN = Set.of("url", "stream", "subject", "maxMessages", "ackWait", "fetchWait",
            "batch");
    private static final Pattern STREAM = Pattern.compile("[A-Za-z0-9_-]{1,200}");
    private static final Pattern SUBJECT = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+){0,15}");

    static NatsSettings of(Map<String, String> settings) {
        Settings.onlyKnown(settings, KNOWN, "nats bus");
        URI url;
        try {
            url = URI.create(settings.getOrDefault("url", "nats://127.0.0.1:4222"));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("nats bus setting url must be nats://host:port", e);
        }
        if (!"nats".equals(url.getScheme()) && !"tls".equals(url.getScheme()) || url.getHost() == null) {
            throw new ConfigurationException("nats bus setting url must be nats://host:port or tls://host:port", null);
        }
        String stream = settings.getOrDefault("stream", "CODE_EVENTS");
        if (!STREAM.matcher(stream).matches()) {
            throw new ConfigurationException("nats bus setting stream must be 1 to 200 letters, digits, '_' or '-'"
                    + " but was '" + stream + "'", null);
        }
        String subject = settings.getOrDefault("subject", "code.events");
        if (!SUBJECT.matcher(subject).matches()) {
            throw new ConfigurationException("nats bus setting subject must be dot-separated tokens of letters,"
                    + " digits, '_' or '-', without wildcards, but was '" + subject + "'", null);
        }
        return new NatsSettings(url, stream, subject, Settings.positive(settings, "maxMessages", 1_000_000), Settings
                .duration(settings, "ackWait", Duration.ofSeconds(30)),
                Settings.duration(settings, "fetchWait",
                        Duration.ofMillis(500)),
                Math.min(10_000, Settings.positive(settings, "batch", 100)));
    }

    /** {@return the address with any user and password left out} */
    String redactedUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
    }

    @Override
    public String toString() {
        return "NatsSettings[" + redactedUrl() + ", stream=" + stream + ", subject=" + subject + ", ackWait="
                + ackWait + "]";
    }
}
