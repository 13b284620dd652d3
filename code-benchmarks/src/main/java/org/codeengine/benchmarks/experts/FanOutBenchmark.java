package org.codeengine.benchmarks.experts;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.experts.ConsensusResult;
import org.codeengine.api.experts.ExpertCircle;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Query;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.internal.experts.DefaultExpertCircle;
import org.codeengine.core.internal.experts.MajorityStrategy;
import org.codeengine.core.internal.experts.ReliabilityBook;
import org.codeengine.core.internal.experts.ReliabilityStrategy;
import org.codeengine.core.internal.security.RegexSecretScanner;
import org.codeengine.core.internal.store.JdbcStore;
import org.codeengine.plugin.h2.H2StoreProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * The circle of experts' own cost per query, with experts that answer at once: a provider defined here whose client
 * returns a fixed short reply ({@code {"answer": "18"}}) without doing anything. The panel has 5 experts of that
 * provider, the default strategy ({@code reliability}), auto extraction, no cache (so every query fans out) and call
 * limits high enough never to throttle.
 *
 * <ul>
 * <li>{@code sequential}: the baseline, the obvious code a user would write: build each expert's request and call the
 * 5 clients one after another.
 * <li>{@code virtualThreads}: the obvious parallel code: submit the 5 calls to a virtual-thread executor and wait for
 * each future. Not a target, but it shows how much of the circle's cost any fan-out to threads pays.
 * <li>{@code circle}: {@link DefaultExpertCircle#ask}, built directly: permission check (a facade that allows
 * everything), fan-out on virtual threads through each provider's guard (rate limiter, bulkhead, circuit breaker),
 * extraction, decision, axioms, result; the audit entry goes to a no-op, so the store's write is not measured.
 * <li>{@code engine}: the same through a real {@link CodeEngine} on H2 in memory, the provider found as a plugin and
 * a SYSTEM principal: what a user pays, the durable audit write of every query included.
 * </ul>
 *
 * Median (p0.50) per query, one benchmark thread (the fan-out's virtual threads run on the same 2 cores).
 *
 * <p>Target (circle-of-experts issue): the fan-out machinery's own overhead per query with instant providers, that
 * is {@code circle} less {@code sequential}, at most 20 µs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
@Threads(1)
public class FanOutBenchmark {
    static final String REPLY = "{\"answer\": \"18\"}";
    static final CallContext CONTEXT = new CallContext(new Principal("bench", Principal.Kind.SYSTEM, Set.of()), null,
            "bench");

    @Param({"sequential", "virtualThreads", "circle", "engine"})
    String impl;

    @Param({"5"})
    int experts;

    ExpertPanel panel;
    Query query;
    List<ExpertClient> clients;
    ExecutorService threads;
    JdbcStore store;
    CodeEngine engine;
    DefaultExpertCircle direct;
    ExpertCircle circle;

    /** A provider whose clients answer at once with {@link #REPLY}; found on the class path by the engine. */
    public static final class InstantProvider implements ExpertProvider {
        static final ChatResponse RESPONSE = new ChatResponse(REPLY, "instant", ChatResponse.FinishReason.STOP,
                new Usage(12, 5), Duration.ZERO);

        @Override
        public String name() {
            return "instant";
        }

        @Override
        public String apiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public ExpertClient create(ProviderConfig config) {
            return new ExpertClient() {
                @Override
                public ChatResponse complete(ChatRequest request) {
                    return RESPONSE;
                }

                @Override
                public void close() {}
            };
        }
    }

    @Setup
    public void setUp() throws IOException {
        ExpertPanel.Builder builder = ExpertPanel.builder().limits("instant", new ExpertPanel.ProviderLimits(1e9,
                1_000, 1));
        for (int i = 0; i < experts; i++) {
            builder.expert(ExpertSpec.of("instant", "model-" + i));
        }
        panel = builder.build();
        query = Query.of("Janet's ducks lay 16 eggs per day. How much does she make every day at the market?");
        String name = "fanout-" + UUID.randomUUID().toString().substring(0, 8);
        switch (impl) {
            case "sequential" -> clients = clients();
            case "virtualThreads" -> {
                clients = clients();
                threads = Executors.newVirtualThreadPerTaskExecutor();
            }
            case "circle" -> {
                threads = Executors.newVirtualThreadPerTaskExecutor();
                Clock clock = Clock.systemUTC();
                store = JdbcStore.open(StoreConfig.h2InMemory(name), new H2StoreProvider(), clock, null, List.of(
                        JdbcStore.MIGRATIONS));
                direct = new DefaultExpertCircle(panel, Map.of("instant", new InstantProvider()), Map.of(
                        "reliability", new ReliabilityStrategy(), "majority", new MajorityStrategy()),
                        new ReliabilityBook(store.expertStats(), clock),
                        org.codeengine.benchmarks.orchestrator.SchedulingBenchmark.PERMIT_ALL,
                        (principal, action, target,
                                outcome, detail) -> {
                        }, new RegexSecretScanner(), clock, threads,
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), ref -> {
                            throw new IllegalStateException("no keys here");
                        }, () -> {
                        });
                circle = direct;
            }
            case "engine" -> {
                engine = CodeEngine.builder().store(StoreConfig.h2InMemory(name)).pluginClassLoader(pluginLoader())
                        .experts(panel).build();
                circle = engine.experts();
            }
            default -> throw new IllegalArgumentException(
                    "impl must be sequential, virtualThreads, circle or engine: " + impl);
        }
        Object answer = ask();
        boolean right = answer instanceof ConsensusResult r
                ? "18".equals(r.answer()) && r.agreement() == 1
                : answer instanceof List<?> replies && replies.size() == experts;
        if (!right) {
            throw new IllegalStateException("the benchmark's circle did not answer as it should: " + answer);
        }
    }

    @Benchmark
    public Object ask() {
        return switch (impl) {
            case "sequential" -> sequential();
            case "virtualThreads" -> virtualThreads();
            default -> circle.ask(CONTEXT, query);
        };
    }

    List<ChatResponse> sequential() {
        List<ChatResponse> replies = new ArrayList<>(experts);
        for (int i = 0; i < experts; i++) {
            replies.add(clients.get(i).complete(request(panel.experts().get(i))));
        }
        return replies;
    }

    List<ChatResponse> virtualThreads() {
        List<Future<ChatResponse>> calls = new ArrayList<>(experts);
        for (int i = 0; i < experts; i++) {
            ExpertClient client = clients.get(i);
            ExpertSpec expert = panel.experts().get(i);
            calls.add(threads.submit(() -> client.complete(request(expert))));
        }
        List<ChatResponse> replies = new ArrayList<>(experts);
        try {
            for (Future<ChatResponse> call : calls) {
                replies.add(call.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        return replies;
    }

    ChatRequest request(ExpertSpec expert) {
        return new ChatRequest(expert.model(), List.of(new ChatMessage(ChatMessage.Role.USER, query.question())),
                query.temperature(), query.maxTokens(), List.of());
    }

    List<ExpertClient> clients() {
        InstantProvider provider = new InstantProvider();
        List<ExpertClient> list = new ArrayList<>(experts);
        for (int i = 0; i < experts; i++) {
            list.add(provider.create(new ProviderConfig(null, null, Duration.ofSeconds(30), Map.of())));
        }
        return list;
    }

    /** A loader whose class path adds only the service file naming {@link InstantProvider}. */
    static ClassLoader pluginLoader() throws IOException {
        Path dir = Files.createTempDirectory("code-fanout");
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(ExpertProvider.class.getName()), InstantProvider.class.getName() + "\n");
        return new URLClassLoader(new URL[]{dir.toUri().toURL()}, FanOutBenchmark.class.getClassLoader());
    }

    @TearDown
    public void tearDown() throws Exception {
        if (direct != null) {
            direct.close();
        }
        if (engine != null) {
            engine.close();
        }
        if (store != null) {
            store.close();
        }
        if (threads != null) {
            threads.close();
        }
    }
}
