package org.codeengine.benchmarks.events;

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

    @Setup
    public void setUp() throws Exception {
        opened = BenchStores.open(store, "code-outbox");
        jdbc = opened.jdbc();
        runId = UUID.randomUUID().toString();
        Instant now = Instant.now();
        jdbc.runs().create(new RunRecord(runId, "shop", "dev", RunState.RUNNING, "{}", now, now, OWNER, now
                .plusSeconds(3600)), List.of(step(StepState.PENDING, 0)));
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
        opened.close();
    }
}
