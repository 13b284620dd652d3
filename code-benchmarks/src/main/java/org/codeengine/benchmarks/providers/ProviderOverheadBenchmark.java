package org.codeengine.benchmarks.providers;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.Secret;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.benchmarks.BenchServers;
import org.codeengine.plugin.openai.OpenAiProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One chat completion with a 1 KB reply from a local server (the JDK's HttpServer on 127.0.0.1, the same fixed
 * reply every time): through the {@code openai} plugin ({@code complete}: request JSON built, sent through its retry
 * layer, reply parsed into a ChatResponse) against the bare {@code HttpClient} call a user would write (the same
 * request body as a prepared string, the reply read as a string, nothing parsed).
 *
 * <p>Target (issue 5): the plugin within 5% of the bare call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
@Threads(1)
public class ProviderOverheadBenchmark {
    @Param({"bare", "bare-timeout", "openai"})
    public String client;

    private HttpServer server;
    private HttpClient http;
    private HttpRequest bare;
    private HttpRequest bareWithTimeout;
    private ExpertClient plugin;
    private ChatRequest request;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String text = "x".repeat(700);
        byte[] reply = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1741569952,"
                + "\"model\":\"test-model-2024\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
                + "\"completion_tokens\":175,\"total_tokens\":187}}").getBytes(StandardCharsets.UTF_8);
        server = BenchServers.json(body -> reply);
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
        request = new ChatRequest("test-model", List.of(new ChatMessage(ChatMessage.Role.USER,
                "What is six times seven?")), 0, 256, List.of());
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(); // as the plugin's
        bare = HttpRequest.newBuilder(URI.create(base + "/chat/completions")).header("Content-Type",
                "application/json").header("Authorization", "Bearer sk-bench").POST(HttpRequest.BodyPublishers
                        .ofString("{\"model\":\"test-model\",\"messages\":[{\"role\":\"user\",\"content\":"
                                + "\"What is six times seven?\"}],\"temperature\":0.0,\"max_tokens\":256}"))
                .build();
        bareWithTimeout = HttpRequest.newBuilder(bare, (n, v) -> true).timeout(Duration.ofSeconds(30)).build();
        plugin = new OpenAiProvider(Map.<String, String>of()::get).create(new ProviderConfig(base, Secret.of(
                "sk-bench"), Duration.ofSeconds(30), Map.of()));
    }

    @Benchmark
    public Object call() throws IOException, InterruptedException {
        return switch (client) {
            case "bare" -> http.send(bare, HttpResponse.BodyHandlers.ofString()).body();
            case "bare-timeout" -> http.send(bareWithTimeout, HttpResponse.BodyHandlers.ofString()).body();
            default -> plugin.complete(request);
        };
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        plugin.close();
        http.close();
        server.stop(0);
    }
}
