package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --metrics-port} on the long commands: checked at once, and the endpoint lives as long as the command. */
class MetricsPortTest {
    @TempDir
    Path home;

    @Test
    void eventsTail_servesMetricsWhileItFollows_andRefusesTheFlagWithoutFollow() {
        Cli.Result refused = new Cli(home).run("events", "tail", "--metrics-port", "0");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("--metrics-port").contains("--follow");

        Cli.Result outOfRange = new Cli(home).run("events", "tail", "--follow", "--metrics-port", "70000");
        assertThat(outOfRange.exit()).isEqualTo(2);
        assertThat(outOfRange.err()).contains("--metrics-port must be between 0 and 65535");

        Cli.Result followed = new Cli(home).run("events", "tail", "--follow", "--timeout", "1s", "--metrics-port", "0");
        assertThat(followed.exit()).as(followed.err()).isZero();
        assertThat(followed.err()).containsPattern("serving metrics at http://127\\.0\\.0\\.1:\\d+/metrics");
    }

    @Test
    void eventsTail_withMetricsRequireKey_servesScrapesOnlyToABearerKeyTheStoreAccepts() throws Exception {
        Cli.Result alone = new Cli(home).run("events", "tail", "--follow", "--timeout", "1s", "--metrics-require-key");
        assertThat(alone.exit()).isEqualTo(2);
        assertThat(alone.err()).contains("--metrics-require-key").contains("needs --metrics-port");

        assertThat(new Cli(home).run("roles", "define", "scraper", "--grant", "deploy:read").exit()).isZero();
        Cli.Result created = new Cli(home).run("keys", "create", "--owner", "prometheus", "--role", "scraper",
                "--json");
        assertThat(created.exit()).as(created.all()).isZero();
        String key = created.json().path("key").asString();
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        CompletableFuture<Cli.Result> tail = CompletableFuture.supplyAsync(() -> new Cli(home).run("events", "tail",
                "--follow", "--timeout", "15s", "--metrics-port", Integer.toString(port), "--metrics-require-key"));
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> anonymous = scrape(http, port, null, tail);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                    .startsWith("Bearer"));
            assertThat(scrape(http, port, "Bearer code_not-a-key", tail).statusCode()).isEqualTo(401);
            HttpResponse<String> keyed = scrape(http, port, "Bearer " + key, tail);
            assertThat(keyed.statusCode()).isEqualTo(200);
            assertThat(PrometheusText.parse(keyed.body())).containsKey("hikaricp_connections");
        }
        Cli.Result ended = tail.get(60, TimeUnit.SECONDS);
        assertThat(ended.exit()).as(ended.err()).isZero();
        assertThat(ended.all()).doesNotContain(key);
        Cli.Result audit = new Cli(home).run("audit", "tail", "--json");
        assertThat(audit.json().path("entries").valueStream()).anySatisfy(e -> {
            assertThat(e.path("action").asString()).isEqualTo("auth:api-key");
            assertThat(e.path("principal").asString()).isEqualTo("prometheus");
        });
    }

    /** Scrapes once the endpoint listens, polling until the command opened it (or ended). */
    private static HttpResponse<String> scrape(HttpClient http, int port, @Nullable String authorization,
            CompletableFuture<Cli.Result> command) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + MetricsEndpoint.PATH)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        while (true) {
            try {
                return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException notYet) {
                if (command.isDone() || System.nanoTime() - deadline > 0) {
                    throw new AssertionError("the scrape endpoint never listened: " + (command.isDone()
                            ? command.join().err()
                            : "still starting"), notYet);
                }
                Thread.sleep(50);
            }
        }
    }
}
