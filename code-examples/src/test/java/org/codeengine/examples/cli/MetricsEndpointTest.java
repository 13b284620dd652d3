package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.StoreConfig;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.Test;

/**
 * The scrape endpoint is guarded as the MCP HTTP face is: loopback only, a {@code Host} that names the loopback, a
 * bearer key the engine's security accepts when it is given one, and nothing but {@code GET|HEAD /metrics}. Requests
 * are written by hand on a socket, so the {@code Host} header is what the test says.
 */
class MetricsEndpointTest {
    /** {@return the response's status line and the rest} */
    private static String[] send(int port, String method, String path, String host, String authorization)
            throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + (authorization == null
                    ? ""
                    : "Authorization: " + authorization + "\r\n") + "Connection: close\r\n\r\n").getBytes(
                            StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = response.indexOf("\r\n");
            return new String[]{response.substring(0, end), response.substring(end + 2)};
        }
    }

    @Test
    void theEndpoint_servesOnlyLoopbackHosts_onlyMetrics_andOnlyABearerKeyTheSecurityAccepts() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("code.test.hits").register(registry).increment(3);
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("metrics" + UUID.randomUUID()
                .toString().replace("-", ""))).build();
                MetricsEndpoint endpoint = new MetricsEndpoint(registry, 0,
                        engine.security())) {
            String key = engine.security().createApiKey("scraper", Set.of(), null).key().reveal();
            int port = endpoint.port();
            String host = "127.0.0.1:" + port;

            String[] ok = send(port, "GET", "/metrics", host, "Bearer " + key);
            assertThat(ok[0]).endsWith("200 OK");
            assertThat(PrometheusText.parse(ok[1].substring(ok[1].indexOf("\r\n\r\n") + 4)))
                    .containsKey("code_test_hits_total");
            assertThat(send(port, "GET", "/metrics", "localhost:" + port, "Bearer " + key)[0]).endsWith("200 OK");
            assertThat(send(port, "GET", "/metrics", "[::1]:" + port, "Bearer " + key)[0]).endsWith("200 OK");

            assertThat(send(port, "GET", "/metrics", host, null)[0]).contains("401");
            assertThat(send(port, "GET", "/metrics", host, "Bearer code_not-a-key")[0]).contains("401");
            assertThat(send(port, "GET", "/metrics", host, "Basic c2NyYXBlcjp4")[0]).contains("401");
            assertThat(send(port, "GET", "/metrics", "evil.example:" + port, "Bearer " + key)[0]).contains("403");
            assertThat(send(port, "GET", "/metrics", "127.0.0.1.evil.example", "Bearer " + key)[0]).contains("403");
            assertThat(send(port, "GET", "/other", host, "Bearer " + key)[0]).contains("404");
            assertThat(send(port, "POST", "/metrics", host, "Bearer " + key)[0]).contains("405");
        }
    }

    @Test
    void withoutSecurity_theEndpointNeedsNoKey_butStillOnlyLoopbackHosts() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (MetricsEndpoint endpoint = new MetricsEndpoint(registry, 0, null)) {
            assertThat(send(endpoint.port(), "GET", "/metrics", "localhost", null)[0]).endsWith("200 OK");
            assertThat(send(endpoint.port(), "GET", "/metrics", "attacker.example", null)[0]).contains("403");
        }
        assertThatThrownBy(() -> new MetricsEndpoint(registry, 70_000, null)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("--metrics-port");
    }
}
