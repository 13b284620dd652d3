package org.codeengine.benchmarks.events;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.benchmarks.BenchStores;
import org.codeengine.core.internal.store.JdbcStore;
import org.codeengine.core.internal.store.RunRecord;
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
 * What writing an event to the outbox adds to the state change it reports: one step write (the run's row locked for
 * the lease check, the step updated, committed), as the orchestrator makes it, without an event ({@code none}, the
 * baseline) and with its CloudEvent inserted in the same transaction ({@code outbox}). Reported per step write.
 *
 * <p>Target (issue 18): {@code outbox} within 10 % of {@code none} on H2 and on PostgreSQL.
 *
 * <p>Both stores commit durably (H2 with {@code WRITE_DELAY=0}, PostgreSQL with {@code synchronous_commit}), so a step
 * write costs what its commit writes and flushes. At the end of each trial the benchmark prints the bytes per step
 * write: what this process wrote to storage on H2 ({@code write_bytes} of {@code /proc/self/io}; the chunk H2's store
 * appends per commit), the WAL the server wrote on PostgreSQL (the server's whole WAL: other clients' traffic counts).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class OutboxCostBenchmark {
    static final String OWNER = "bench";

    @Param({"h2", "postgres"})
    String store;

    @Param({"none", "outbox"})
    String events;

    JdbcStore jdbc;
    BenchStores opened;
    String runId;
    int n;
    long bytesAtStart;

    @Setup
    public void setUp() throws Exception {
        opened = BenchStores.open(store, "code-outbox");
        jdbc = opened.jdbc();
        runId = UUID.randomUUID().toString();
        Instant now = Instant.now();
        jdbc.runs().create(new RunRecord(runId, "shop", "dev", RunState.RUNNING, "{}", now, now, OWNER, now
                .plusSeconds(3600)), List.of(step(StepState.PENDING, 0)));
        n = 0;
        bytesAtStart = bytesWritten();
    }

    /** {@return the bytes written so far, as the class javadoc says; -1 if they cannot be read} */
    long bytesWritten() throws Exception {
        return bytesWritten(store);
    }

    /** {@return the bytes written so far on that store ({@code h2} or {@code postgres}), as the class javadoc says; -1
     * if they cannot be read} */
    static long bytesWritten(String store) throws Exception {
        if (store.equals("postgres")) {
            try (Connection c = DriverManager.getConnection(BenchStores.PG, "postgres", null)) {
                return walBytes(c);
            }
        }
        Path io = Path.of("/proc/self/io");
        if (!Files.isReadable(io)) {
            return -1;
        }
        return Files.readAllLines(io).stream().filter(l -> l.startsWith("write_bytes:")).mapToLong(
                l -> Long.parseLong(l.substring(12).strip())).findFirst().orElse(-1);
    }

    /** {@return the bytes of WAL the PostgreSQL server that connection reaches has written so far} */
    static long walBytes(Connection c) throws Exception {
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("select pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            r.next();
            return r.getLong(1);
        }
    }

    StepRecord step(StepState state, int attempt) {
        return new StepRecord(runId, "api", state, attempt, null, null, Map.of("0.pid", "4242"), null);
    }

    @Benchmark
    public boolean stepWrite() {
        int i = n++;
        StepState state = (i & 1) == 0 ? StepState.STARTING : StepState.CHECKING_HEALTH;
        StepRecord next = step(state, i);
        List<CloudEvent> reported = events.equals("outbox")
                ? List.of(new CloudEvent(UUID.randomUUID().toString(), "/code/bench", CloudEvent.STEP_STATE_CHANGED,
                        runId, Instant.now(), Map.of("run", runId, "service", "api", "state", state.name(), "message",
                                "attempt " + i)))
                : List.of();
        return jdbc.runs().updateSteps(List.of(next), List.of(reported), OWNER)[0];
    }

    @TearDown
    public void tearDown() throws Exception {
        report();
        opened.close();
    }

    /** Prints the bytes per step write since the setup, as the class javadoc says. */
    void report() throws Exception {
        long bytes = bytesWritten();
        if (bytes >= 0 && bytesAtStart >= 0 && n > 0) {
            System.out.printf("%n%s, events=%s: %d bytes per step write (%s, over %d writes)%n", store, events,
                    (bytes - bytesAtStart) / n, store.equals("postgres") ? "WAL" : "written by this process", n);
        }
    }
}
