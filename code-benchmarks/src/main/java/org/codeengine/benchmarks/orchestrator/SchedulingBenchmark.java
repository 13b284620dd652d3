package org.codeengine.benchmarks.orchestrator;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.security.AccessDecision;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;
import org.codeengine.core.internal.orchestrator.JdbcRunJournal;
import org.codeengine.core.internal.orchestrator.MemoryRunJournal;
import org.codeengine.core.internal.orchestrator.RunJournal;
import org.codeengine.core.internal.store.JdbcStore;
import org.codeengine.plugin.h2.H2StoreProvider;
import org.codeengine.plugin.postgres.PostgresStoreProvider;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One deployment of a layered DAG of no-op steps (20 layers of 50, each step after two of the layer before): the
 * orchestrator's own cost per step, with its journal in memory, in an embedded H2 file, or in PostgreSQL on
 * 127.0.0.1 ({@code CODE_BENCH_PG_URL}, by default {@code jdbc:postgresql://127.0.0.1:5432/test} as
 * {@code postgres}). {@link DagBaselineBenchmark} runs the same DAG as plain {@code CompletableFuture}s. With
 * {@code -p store=h2-delayed}, H2 keeps its default half-second write delay: faster, but a SIGKILL loses the last
 * commits, so the engine never runs that way; it shows what durability costs.
 *
 * <p>Each step writes two transitions (starting, healthy) and the run two more, so one operation is
 * {@code 2 * steps + 2} durable transitions. Targets (issue 3): at most 10 us per step in memory; at least 20,000
 * transitions per second on H2 and 5,000 on PostgreSQL.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class SchedulingBenchmark {
    static final CallContext CONTEXT = new CallContext(new Principal("bench", Principal.Kind.SERVICE, Set.of()),
            null, "bench");

    @Param({"memory", "h2", "postgres"})
    String store;

    @Param({"20"})
    int layers;

    @Param({"50"})
    int width;

    JdbcStore jdbc;
    ExecutorService threads;
    DefaultOrchestrator orchestrator;
    DeploymentSpec spec;
    String schema;
    int runs;

    @Setup
    public void setUp() throws Exception {
        spec = Dags.layered(layers, width);
        threads = Executors.newVirtualThreadPerTaskExecutor();
        RunJournal journal = switch (store) {
            case "memory" -> new MemoryRunJournal();
            case "h2" -> {
                Path dir = Files.createTempDirectory("code-bench");
                jdbc = open(StoreConfig.h2File(dir.resolve("code-db")), new H2StoreProvider());
                yield new JdbcRunJournal(jdbc.runs());
            }
            case "h2-delayed" -> {
                Path dir = Files.createTempDirectory("code-bench");
                jdbc = open(StoreConfig.jdbc("jdbc:h2:file:" + dir.resolve("code-db") + ";WRITE_DELAY=500"),
                        new H2StoreProvider());
                yield new JdbcRunJournal(jdbc.runs());
            }
            case "postgres" -> {
                schema = "code_bench_" + UUID.randomUUID().toString().substring(0, 8);
                jdbc = open(StoreConfig.jdbc(System.getenv().getOrDefault("CODE_BENCH_PG_URL",
                        "jdbc:postgresql://127.0.0.1:5432/test")).withCredentials("postgres", null).withSchema(schema),
                        new PostgresStoreProvider());
                yield new JdbcRunJournal(jdbc.runs());
            }
            default -> throw new IllegalArgumentException("store must be memory, h2 or postgres: " + store);
        };
        orchestrator = new DefaultOrchestrator(journal, Map.of("noop", new Dags.NoopExecutor()), Map.of(),
                PERMIT_ALL, (principal, action, target, outcome, detail) -> {
                }, Clock.systemUTC(), threads,
                new SimpleMeterRegistry(), new DefaultOrchestrator.Options(Duration.ofSeconds(30), false, 1024,
                        Duration.ofSeconds(30)));
    }

    private static JdbcStore open(StoreConfig config, StoreProvider provider) {
        return JdbcStore.open(config, provider, Clock.systemUTC(), null, List.of(JdbcStore.MIGRATIONS));
    }

    /** {@return the end state; each run gets a deployment name of its own, so no run replaces another} */
    @Benchmark
    public RunState deploy() {
        DeploymentSpec named = new DeploymentSpec("run" + runs++, spec.environment(), spec.services(), spec
                .maxParallelism(), spec.capacity());
        RunState end = orchestrator.deploy(CONTEXT, named).await(Duration.ofMinutes(5));
        if (end != RunState.SUCCEEDED) {
            throw new IllegalStateException("run ended " + end);
        }
        return end;
    }

    @TearDown
    public void tearDown() throws Exception {
        orchestrator.close();
        threads.close();
        if (jdbc != null) {
            jdbc.close();
        }
        if (schema != null) {
            try (var c = DriverManager.getConnection(System.getenv().getOrDefault("CODE_BENCH_PG_URL",
                    "jdbc:postgresql://127.0.0.1:5432/test"), "postgres", null); var s = c.createStatement()) {
                s.execute("drop schema if exists " + schema + " cascade");
            }
        }
    }

    /** Allows everything, checks nothing: a component's own cost without the security layer's. */
    public static final SecurityFacade PERMIT_ALL = new SecurityFacade() {
        private static final Permission ALL = new Permission("*", "*", "*");

        @Override
        public Principal authenticate(Credentials credentials) {
            throw new UnsupportedOperationException();
        }

        @Override
        public AccessDecision check(Principal principal, Permission permission) {
            return new AccessDecision(true, permission, "bench", ALL, "benchmark");
        }

        @Override
        public AccessDecision require(Principal principal, Permission permission) {
            return check(principal, permission);
        }

        @Override
        public List<AuditEntry> audit(long fromSequence, int limit) {
            return List.of();
        }
    };
}
