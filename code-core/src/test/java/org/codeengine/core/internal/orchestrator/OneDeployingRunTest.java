package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentBusyException;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At most one run deploys a deployment at a time, on the H2 store too (a locked row, no advisory lock): engines that
 * deploy at once are refused with the running run's id, or wait for it when their host said so.
 */
class OneDeployingRunTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "t");
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    final MarkedSleeps sleeps = new MarkedSleeps();
    final List<CodeEngine> engines = new ArrayList<>();

    @AfterEach
    void tearDown() {
        engines.forEach(CodeEngine::close);
        sleeps.killAll();
    }

    CodeEngine engine(Duration waitWhenBusy) {
        CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("db/code-db")))
                .adoptOrphanedRuns(false).waitForBusyDeployment(waitWhenBusy).build();
        engines.add(engine);
        return engine;
    }

    @Test
    void deploysAtOnceFromTwoEngines_startOneRun_andTheOthersAreRefusedWithItsId() throws Exception {
        List<CodeEngine> both = List.of(engine(Duration.ZERO), engine(Duration.ZERO));
        DeploymentSpec plan = sleeps.plan("shop", 2, Duration.ofSeconds(1));
        List<Callable<Object>> deploys = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            CodeEngine engine = both.get(i % 2);
            deploys.add(() -> {
                try {
                    return engine.orchestrator().deploy(CTX, plan);
                } catch (DeploymentBusyException e) {
                    return e;
                }
            });
        }
        List<Object> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Object> f : threads.invokeAll(deploys)) {
                outcomes.add(f.get());
            }
        }

        List<RunHandle> runs = outcomes.stream().filter(RunHandle.class::isInstance).map(RunHandle.class::cast)
                .toList();
        assertThat(runs).hasSize(1);
        RunHandle run = runs.getFirst();
        assertThat(outcomes).filteredOn(DeploymentBusyException.class::isInstance).hasSize(7).allSatisfy(
                e -> assertThat(((DeploymentBusyException) e).runningRunId()).isEqualTo(run.runId()));
        assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(sleeps.alive()).hasSize(2);

        RunHandle next = both.get(1).orchestrator().deploy(CTX, plan); // one after the other: the new one supersedes
        assertThat(next.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(both.get(0).orchestrator().inspect(CTX, run.runId()).state()).isEqualTo(RunState.SUPERSEDED);
        assertThat(sleeps.alive()).hasSize(2);
    }

    @Test
    void anEngineToldToWait_deploysOnceTheRunningRunHasEnded_andSupersedesIt() {
        CodeEngine refusing = engine(Duration.ZERO);
        CodeEngine waiting = engine(WAIT);
        DeploymentSpec plan = sleeps.plan("shop", 2, Duration.ofSeconds(1));
        RunHandle first = refusing.orchestrator().deploy(CTX, plan);

        assertThatThrownBy(() -> refusing.orchestrator().deploy(CTX, plan)).isInstanceOf(
                DeploymentBusyException.class).hasMessageContaining(first.runId());
        RunHandle second = waiting.orchestrator().deploy(CTX, plan); // returns once the first has ended

        assertThat(refusing.orchestrator().inspect(CTX, first.runId()).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(second.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(refusing.orchestrator().inspect(CTX, first.runId()).state()).isEqualTo(RunState.SUPERSEDED);
        assertThat(sleeps.alive()).hasSize(2);
    }

    @Test
    void aWaitShorterThanTheRunningRun_endsInARefusalNamingIt() {
        CodeEngine refusing = engine(Duration.ZERO);
        CodeEngine waiting = engine(Duration.ofMillis(300));
        DeploymentSpec plan = sleeps.plan("shop", 1, Duration.ofSeconds(2));
        RunHandle first = refusing.orchestrator().deploy(CTX, plan);

        assertThatThrownBy(() -> waiting.orchestrator().deploy(CTX, plan)).isInstanceOf(
                DeploymentBusyException.class).satisfies(
                        e -> assertThat(((DeploymentBusyException) e)
                                .runningRunId()).isEqualTo(first.runId()));
        assertThat(first.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
    }
}
