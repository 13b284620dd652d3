package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.core.internal.store.JdbcStore;
import org.codeengine.core.internal.store.RunRecord;
import org.codeengine.plugin.h2.H2StoreProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journals: group commit of concurrent step writes, fencing by lease, and the memory journal's bound. */
class JournalTest {
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    static List<StepRecord> steps(String runId, int n) {
        List<StepRecord> steps = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            steps.add(new StepRecord(runId, "s" + i, StepState.PENDING, 0, null, null, Map.of(), null));
        }
        return steps;
    }

    static RunRecord run(String runId, String owner) {
        return new RunRecord(runId, "shop", "dev", RunState.RUNNING, "{}", T0, T0, owner, T0.plusSeconds(30));
    }

    @Test
    void concurrentStepWrites_areAllCommitted_andFencedOnceAnotherOwnerTakesTheRun(@TempDir Path dir)
            throws Exception {
        try (JdbcStore store = JdbcStore.open(StoreConfig.h2File(dir.resolve("code-db")), new H2StoreProvider(), Clock
                .systemUTC(), null, List.of(JdbcStore.MIGRATIONS));
                JdbcRunJournal journal = new JdbcRunJournal(store
                        .runs())) {
            journal.create(run("r1", "a"), steps("r1", 200));
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Boolean>> writes = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    StepRecord healthy = new StepRecord("r1", "s" + i, StepState.HEALTHY, 1, T0, T0, Map.of("0.pid",
                            Integer.toString(i)), null);
                    writes.add(threads.submit(() -> journal.saveStep(healthy, "a")));
                }
                for (Future<Boolean> write : writes) {
                    assertThat(write.get()).isTrue();
                }
            }
            assertThat(journal.steps("r1")).extracting(StepRecord::state).containsOnly(StepState.HEALTHY);
            assertThat(journal.steps("r1").get(7).outputs()).containsEntry("0.pid", "7");

            assertThat(journal.claim("r1", "b", T0.plusSeconds(10), Duration.ofSeconds(30))).as("lease still held")
                    .isFalse();
            assertThat(journal.claim("r1", "b", T0.plusSeconds(31), Duration.ofSeconds(30))).isTrue();
            StepRecord late = new StepRecord("r1", "s0", StepState.FAILED, 2, T0, T0, Map.of(), "late");
            assertThat(journal.saveStep(late, "a")).as("the old owner is fenced off").isFalse();
            assertThat(journal.transition("r1", RunState.RUNNING, RunState.SUCCEEDED, T0, "a")).isFalse();
            assertThat(journal.steps("r1").getFirst().state()).isEqualTo(StepState.HEALTHY);
            assertThat(journal.saveStep(late, "b")).isTrue();
        }
    }

    /** A step writer that fails as a store that cannot be reached does, {@code failures} times, then writes. */
    static JdbcRunJournal.StepWriter unreachableFor(JdbcStore store, AtomicInteger failures) {
        return (steps, events, owner) -> {
            if (failures.getAndDecrement() > 0) {
                throw new UnavailableException("saving failed, the store may be unavailable (test)", null,
                        new SQLTransientConnectionException("connection refused (test)"));
            }
            return store.runs().updateSteps(steps, events, owner);
        };
    }

    @Test
    void aStepWrite_isTriedAgainThroughAnOutage_shorterThanTheBound(@TempDir Path dir) {
        try (JdbcStore store = JdbcStore.open(StoreConfig.h2File(dir.resolve("code-db")), new H2StoreProvider(), Clock
                .systemUTC(), null, List.of(JdbcStore.MIGRATIONS))) {
            AtomicInteger failures = new AtomicInteger(3);
            try (JdbcRunJournal journal = new JdbcRunJournal(store.runs(), unreachableFor(store, failures), Duration
                    .ofSeconds(30))) {
                journal.create(run("r1", "a"), steps("r1", 1));

                assertThat(journal.saveStep(healthy("r1", 0), "a")).isTrue();
                assertThat(failures.get()).as("failed tries left").isNegative();
                assertThat(journal.steps("r1").getFirst().state()).isEqualTo(StepState.HEALTHY);
            }
        }
    }

    @Test
    void aStepWrite_failsOnceTheOutageOutlastsTheBound(@TempDir Path dir) {
        try (JdbcStore store = JdbcStore.open(StoreConfig.h2File(dir.resolve("code-db")), new H2StoreProvider(), Clock
                .systemUTC(), null, List.of(JdbcStore.MIGRATIONS))) {
            AtomicInteger failures = new AtomicInteger(Integer.MAX_VALUE);
            try (JdbcRunJournal journal = new JdbcRunJournal(store.runs(), unreachableFor(store, failures), Duration
                    .ofMillis(500))) {
                journal.create(run("r1", "a"), steps("r1", 1));
                long began = System.nanoTime();

                assertThatThrownBy(() -> journal.saveStep(healthy("r1", 0), "a")).isInstanceOf(
                        UnavailableException.class).hasMessageContaining("store may be unavailable");
                assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(
                        500));
                assertThat(Integer.MAX_VALUE - failures.get()).as("tries").isGreaterThan(1);
            }
        }
    }

    @Test
    void memoryJournal_forgetsTheOldestEndedRuns_beyondItsBound() {
        MemoryRunJournal journal = new MemoryRunJournal();
        for (int i = 0; i < MemoryRunJournal.KEEP_ENDED + 10; i++) {
            journal.create(run("r" + i, "a"), steps("r" + i, 2));
            assertThat(journal.transition("r" + i, RunState.RUNNING, RunState.SUCCEEDED, T0, "a")).isTrue();
        }
        journal.create(run("live", "a"), steps("live", 2));
        assertThat(journal.find("r0")).isEmpty();
        assertThat(journal.find("r10")).isPresent();
        assertThat(journal.find("live")).isPresent();
        assertThat(journal.list(1000)).hasSize(MemoryRunJournal.KEEP_ENDED + 1);
    }

    static StepRecord healthy(String runId, int i) {
        return new StepRecord(runId, "s" + i, StepState.HEALTHY, 1, T0, T0, Map.of(), null);
    }

    @Test
    void aGroupCommitThatThrowsAnError_failsItsCallers_insteadOfLeavingThemWaiting_andTheWriterGoesOn(
            @TempDir Path dir) {
        try (JdbcStore store = JdbcStore.open(StoreConfig.h2File(dir.resolve("code-db")), new H2StoreProvider(), Clock
                .systemUTC(), null, List.of(JdbcStore.MIGRATIONS))) {
            AtomicBoolean broken = new AtomicBoolean(true);
            try (JdbcRunJournal journal = new JdbcRunJournal(store.runs(), (steps, events, owner) -> {
                if (broken.getAndSet(false)) {
                    throw new StackOverflowError("deep (test)");
                }
                return store.runs().updateSteps(steps, events, owner);
            })) {
                journal.create(run("r1", "a"), steps("r1", 2));
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> journal.saveStep(
                        healthy("r1", 0), "a")).isInstanceOf(UnavailableException.class).hasMessageContaining(
                                "saving 1 steps failed")
                        .hasMessageContaining("StackOverflowError"));
                assertTimeoutPreemptively(Duration.ofSeconds(30), () -> assertThat(journal.saveStep(healthy("r1", 1),
                        "a")).isTrue());
            }
        }
    }

    @Test
    void stepWritesRacingClose_allReturn_andThoseAfterItAreWrittenDirectly(@TempDir Path dir) throws Exception {
        try (JdbcStore store = JdbcStore.open(StoreConfig.h2File(dir.resolve("code-db")), new H2StoreProvider(), Clock
                .systemUTC(), null, List.of(JdbcStore.MIGRATIONS))) {
            JdbcRunJournal journal = new JdbcRunJournal(store.runs());
            journal.create(run("r1", "a"), steps("r1", 100));
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Boolean>> writes = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    StepRecord step = healthy("r1", i);
                    writes.add(threads.submit(() -> journal.saveStep(step, "a")));
                    if (i == 50) {
                        threads.submit(journal::close);
                    }
                }
                for (Future<Boolean> write : writes) {
                    assertThat(write.get(30, TimeUnit.SECONDS)).isTrue();
                }
            }
            journal.close();
            assertThat(journal.saveStep(new StepRecord("r1", "s0", StepState.FAILED, 2, T0, T0, Map.of(), "late"),
                    "a")).isTrue();
            assertThat(journal.steps("r1").getFirst().state()).isEqualTo(StepState.FAILED);
            assertThat(journal.steps("r1")).extracting(StepRecord::state).doesNotContain(StepState.PENDING);
        }
    }

    @Test
    void memoryJournal_keepsARunThatEndedAndIsRolledBack_once_andNeverWhileItRollsBack() {
        MemoryRunJournal journal = new MemoryRunJournal();
        journal.create(run("again", "a"), steps("again", 1));
        assertThat(journal.transition("again", RunState.RUNNING, RunState.SUCCEEDED, T0, "a")).isTrue();
        assertThat(journal.transition("again", RunState.SUCCEEDED, RunState.ROLLING_BACK, T0, "a")).isTrue();
        for (int i = 0; i < MemoryRunJournal.KEEP_ENDED + 10; i++) {
            journal.create(run("r" + i, "a"), steps("r" + i, 1));
            assertThat(journal.transition("r" + i, RunState.RUNNING, RunState.SUCCEEDED, T0, "a")).isTrue();
        }
        assertThat(journal.find("again")).as("rolling back: not forgotten").isPresent();
        assertThat(journal.transition("again", RunState.ROLLING_BACK, RunState.ROLLED_BACK, T0, "a")).isTrue();
        for (int i = 0; i < MemoryRunJournal.KEEP_ENDED - 1; i++) {
            journal.create(run("s" + i, "a"), steps("s" + i, 1));
            assertThat(journal.transition("s" + i, RunState.RUNNING, RunState.SUCCEEDED, T0, "a")).isTrue();
        }
        assertThat(journal.find("again")).as("among the last %d that ended", MemoryRunJournal.KEEP_ENDED)
                .isPresent();
        assertThat(journal.list(10_000)).hasSize(MemoryRunJournal.KEEP_ENDED);
    }
}
