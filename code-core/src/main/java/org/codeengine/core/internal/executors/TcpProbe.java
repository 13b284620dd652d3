package org.codeengine.core.internal.executors;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.ProbeResult;

/** Healthy when a TCP connection to {@code host} ({@code 127.0.0.1} by default) and {@code port} opens. */
public final class TcpProbe implements HealthProbe {
    private static final Set<String> KEYS = Set.of("host", "port");

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public void validate(Map<String, String> settings) {
        Settings.onlyKnown(settings, KEYS, Set.of());
        Settings.integer(settings, "port", 1, 65535, null);
    }

    @Override
    public ProbeResult probe(Map<String, String> settings, Duration timeout) {
        String host = settings.getOrDefault("host", "127.0.0.1");
        int port = Settings.integer(settings, "port", 1, 65535, null);
        long began = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout
                    .toMillis())));
            return new ProbeResult(true, "connected to " + host + ":" + port, HttpProbe.took(began));
        } catch (IOException e) {
            return new ProbeResult(false, "cannot connect to " + host + ":" + port + ": " + e.getMessage(), HttpProbe
                    .took(began));
        }
    }
}
