package org.codeengine.core.internal.orchestrator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.core.internal.executors.CommandProbe;
import org.codeengine.core.internal.executors.HttpProbe;
import org.codeengine.core.internal.executors.TcpProbe;
import org.codeengine.plugin.testkit.BadSetting;
import org.codeengine.plugin.testkit.HealthProbeContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;

/** The engine's own probes pass the kit every health probe passes, against real targets on 127.0.0.1. */
class HealthProbesTest {
    /** Answers GET /health with 200 and anything else with 503, one request per connection. */
    ServerSocket web;
    /** Accepts connections (the kernel does, from its backlog) and never answers. */
    ServerSocket silent;
    int closedPort;

    @BeforeEach
    void startTargets() throws IOException {
        web = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::answer);
        silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = free.getLocalPort();
        }
    }

    @AfterEach
    void stopTargets() throws IOException {
        web.close();
        silent.close();
    }

    private void answer() {
        while (!web.isClosed()) {
            try (Socket connection = web.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                        StandardCharsets.US_ASCII));
                String status = in.readLine().startsWith("GET /health ") ? "200 OK" : "503 Service Unavailable";
                connection.getOutputStream().write(("HTTP/1.1 " + status + "\r\ncontent-length: 0\r\nconnection: "
                        + "close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            } catch (IOException | RuntimeException e) {
                // closed at the end of the test, or a client that went away
            }
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + web.getLocalPort() + path;
    }

    @Nested
    class Http extends HealthProbeContract {
        @Override
        protected HealthProbe probe() {
            return new HttpProbe();
        }

        @Override
        protected Map<String, String> healthySettings() {
            return Map.of("url", url("/health"));
        }

        @Override
        protected Map<String, String> unhealthySettings() {
            return Map.of("url", url("/sick"));
        }

        @Override
        protected Optional<Map<String, String>> stalledSettings() {
            return Optional.of(Map.of("url", "http://127.0.0.1:" + silent.getLocalPort() + "/health"));
        }

        @Override
        protected List<BadSetting> badSettings() {
            return List.of(BadSetting.of("url"), BadSetting.of("url", "url", "ftp://127.0.0.1/x"), BadSetting.of(
                    "status", "url", url("/health"), "status", "2xx"));
        }
    }

    @Nested
    class Tcp extends HealthProbeContract {
        @Override
        protected HealthProbe probe() {
            return new TcpProbe();
        }

        @Override
        protected Map<String, String> healthySettings() {
            return Map.of("port", Integer.toString(web.getLocalPort()));
        }

        @Override
        protected Map<String, String> unhealthySettings() {
            return Map.of("port", Integer.toString(closedPort));
        }

        @Override
        protected List<BadSetting> badSettings() {
            return List.of(BadSetting.of("port"), BadSetting.of("port", "port", "70000"));
        }
    }

    @Nested
    class Command extends HealthProbeContract {
        @Override
        protected HealthProbe probe() {
            return new CommandProbe();
        }

        @Override
        protected Map<String, String> healthySettings() {
            return Map.of("command", "true");
        }

        @Override
        protected Map<String, String> unhealthySettings() {
            return Map.of("command", "sh -c 'exit 2'");
        }

        @Override
        protected Optional<Map<String, String>> stalledSettings() {
            return Optional.of(Map.of("command", "sleep 30"));
        }

        @Override
        protected List<BadSetting> badSettings() {
            return List.of(BadSetting.of("command"), BadSetting.of("exitCode", "command", "true", "exitCode", "300"));
        }
    }
}
