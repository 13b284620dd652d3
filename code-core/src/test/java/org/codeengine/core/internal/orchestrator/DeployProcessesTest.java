package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentEvent;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.Rollout;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.internal.executors.HttpProbe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deploys real child processes (small HTTP services) on 127.0.0.1 with the engine's H2 file store. */
class DeployProcessesTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "trace-1");
    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    TinyServices tiny;
    CodeEngine engine;

    @BeforeEach
    void open() {
        tiny = new TinyServices(dir);
        engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("db/code-db"))).adoptOrphanedRuns(false)
                .build();
    }

    @AfterEach
    void close() {
        tiny.killAll();
        engine.close();
    }

    /** db and cache are independent; api needs both; web needs api. */
    DeploymentSpec shop(int apiHealth) {
        return DeploymentSpec.of("shop", "dev", List.of(
                tiny.service("db", 200).healthCheck(HealthCheckSpec.http("http://127.0.0.1:${port}/health")
                        .withTiming(Duration.ofSeconds(3), Duration.ofMillis(100), 300)).build(),
                tiny.service("cache", 200).build(),
                tiny.service("api", apiHealth, "db", "cache").build(),
                tiny.service("web", 200, "api").build()));
    }

    @Test
    void deploy_startsInDependencyOrder_inParallelWhereAllowed_andChecksHealthOverHttp() {
        List<DeploymentEvent> events = Collections.synchronizedList(new ArrayList<>());
        RunHandle run = engine.orchestrator().deploy(CTX, shop(200));
        run.onEvent(events::add);

        assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.steps()).extracting(StepRecord::state).containsOnly(StepState.HEALTHY);
        List<String> started = tiny.started();
        assertThat(started).containsExactlyInAnyOrder("db", "cache", "api", "web");
        assertThat(started.indexOf("api")).isGreaterThan(started.indexOf("db")).isGreaterThan(started.indexOf(
                "cache"));
        assertThat(started.indexOf("web")).isGreaterThan(started.indexOf("api"));
        // parallel: cache started and turned healthy while db was still in its initial delay
        assertThat(at(events, "cache", StepState.HEALTHY)).isBefore(at(events, "db", StepState.HEALTHY));
        assertThat(events).filteredOn(e -> e instanceof DeploymentEvent.HealthChanged h && h.healthy())
                .hasSize(4);
        assertThat(tiny.alivePids()).hasSize(4);
        assertThat(run.steps().getFirst().outputs()).containsKeys("0.pid", "0.port", "0.started", "slot");

        assertThat(engine.orchestrator().rollback(CTX, run.runId()).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(tiny.alivePids()).isEmpty();
        List<String> stopped = tiny.stopped();
        assertThat(stopped.indexOf("web")).isLessThan(stopped.indexOf("api"));
        assertThat(stopped.indexOf("api")).isLessThan(stopped.indexOf("db")).isLessThan(stopped.indexOf("cache")
                + 10);
        assertThat(stopped.indexOf("api")).isLessThan(stopped.indexOf("cache"));
        assertThat(engine.orchestrator().inspect(CTX, run.runId()).steps()).extracting(StepRecord::state)
                .containsOnly(StepState.ROLLED_BACK);
    }

    @Test
    void deploy_rollsBackInReverseOrder_andLeavesNoProcess_whenAHealthCheckFails() {
        RunHandle run = engine.orchestrator().deploy(CTX, shop(500));

        assertThat(run.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        Map<String, StepState> states = run.steps().stream().collect(Collectors.toMap(StepRecord::service,
                StepRecord::state));
        assertThat(states).containsEntry("api", StepState.FAILED).containsEntry("web", StepState.SKIPPED)
                .containsEntry("db", StepState.ROLLED_BACK).containsEntry("cache", StepState.ROLLED_BACK);
        assertThat(run.steps()).filteredOn(s -> s.service().equals("api")).singleElement().extracting(
                StepRecord::error).asString().contains("health check").contains("HTTP 500");
        assertThat(tiny.started()).doesNotContain("web");
        assertThat(tiny.alivePids()).as("child processes left behind").isEmpty();
        List<String> stopped = tiny.stopped();
        assertThat(stopped).containsExactlyInAnyOrder("db", "cache", "api");
        assertThat(stopped.getFirst()).as("the failed service is stopped first").isEqualTo("api");
    }

    @Test
    void blueGreen_keepsTheOldVersionServing_whenTheNewOneFails_andReplacesItWhenTheNewOneIsHealthy() {
        DeploymentSpec v1 = DeploymentSpec.of("site", "dev", List.of(tiny.service("front", 200).rollout(
                Rollout.BLUE_GREEN).build()));
        RunHandle first = engine.orchestrator().deploy(CTX, v1);
        assertThat(first.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        String oldPort = first.steps().getFirst().outputs().get("0.port");
        assertThat(first.steps().getFirst().outputs()).containsEntry("slot", "blue");

        DeploymentSpec broken = DeploymentSpec.of("site", "dev", List.of(tiny.service("front", 503).rollout(
                Rollout.BLUE_GREEN).build()));
        RunHandle second = engine.orchestrator().deploy(CTX, broken);
        assertThat(second.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(new HttpProbe().probe(Map.of("url", "http://127.0.0.1:" + oldPort + "/health"), Duration
                .ofSeconds(2)).healthy()).as("old version still serves").isTrue();

        RunHandle third = engine.orchestrator().deploy(CTX, v1);
        assertThat(third.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(third.steps().getFirst().outputs()).containsEntry("slot", "green");
        assertThat(engine.orchestrator().inspect(CTX, first.runId()).state()).isEqualTo(RunState.SUPERSEDED);
        assertThat(tiny.alivePids()).hasSize(1);
        assertThat(new HttpProbe().probe(Map.of("url", "http://127.0.0.1:" + oldPort + "/health"), Duration
                .ofSeconds(2)).healthy()).as("old version stopped").isFalse();
        engine.orchestrator().rollback(CTX, third.runId()).await(WAIT);
        assertThat(tiny.alivePids()).isEmpty();
    }

    @Test
    void canary_startsOneInstanceFirst_andNeverTheRest_whenTheCanaryFails() {
        DeploymentSpec bad = DeploymentSpec.of("fleet", "dev", List.of(tiny.service("worker", 500).rollout(
                Rollout.CANARY).instances(3).build()));
        RunHandle run = engine.orchestrator().deploy(CTX, bad);
        assertThat(run.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(tiny.starts("worker")).isEqualTo(1);

        DeploymentSpec good = DeploymentSpec.of("fleet", "dev", List.of(tiny.service("worker", 200).rollout(
                Rollout.CANARY).instances(3).build()));
        RunHandle ok = engine.orchestrator().deploy(CTX, good);
        assertThat(ok.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(tiny.starts("worker")).isEqualTo(4);
        assertThat(RunExecution.instancesOf(ok.steps().getFirst())).containsExactly(0, 1, 2);
        assertThat(tiny.alivePids()).hasSize(3);
        engine.orchestrator().rollback(CTX, ok.runId()).await(WAIT);
        assertThat(tiny.alivePids()).isEmpty();
    }

    @Test
    void cancel_stopsTheRun_undoesWhatStarted_andEndsCancelled() {
        DeploymentSpec slow = DeploymentSpec.of("slow", "dev", List.of(tiny.service("a", 200).build(), tiny
                .service("b", 200, "a").healthCheck(HealthCheckSpec.http("http://127.0.0.1:${port}/health")
                        .withTiming(Duration.ofSeconds(30), Duration.ofMillis(100), 3))
                .build()));
        RunHandle run = engine.orchestrator().deploy(CTX, slow);
        TinyServices.await("b started", WAIT, () -> tiny.starts("b") == 1);
        engine.orchestrator().cancel(CTX, run.runId());
        assertThat(run.await(WAIT)).isEqualTo(RunState.CANCELLED);
        assertThat(tiny.alivePids()).isEmpty();
        assertThat(engine.orchestrator().history(CTX, 10)).extracting(r -> r.state()).containsExactly(
                RunState.CANCELLED);
    }

    /**
     * A stop interrupts what waits on health, never a write: a probe that flips on every try makes each instance's
     * gate write an event per probe, so a cancel lands in the middle of one. An interrupt that reached H2's file
     * write would close the whole database (the run's undoing then fails: "The database has been closed").
     */
    @Test
    void cancel_whileHealthGatesWriteEvents_leavesTheStoreOpen_andEndsCancelled() throws Exception {
        Path flip = dir.resolve("flip");
        HealthCheckSpec flipping = new HealthCheckSpec("command", Map.of("command", "sh -c 'if [ -e " + flip
                + "${instance} ]; then rm " + flip + "${instance}; exit 1; else touch " + flip
                + "${instance}; exit 0; fi'"), Duration.ZERO, Duration.ofMillis(1), Duration.ofSeconds(5),
                1_000_000, 1_000_000);
        DeploymentSpec spec = DeploymentSpec.of("flaky", "dev", List.of(ServiceSpec.builder("api", "process")
                .setting("command", "sleep 120").setting("stopGrace", "5s").instances(3).healthCheck(flipping)
                .timeout(Duration.ofMinutes(5)).retry(RetryPolicy.NONE).build()));
        for (int round = 0; round < 12; round++) {
            RunHandle run = engine.orchestrator().deploy(CTX, spec);
            AtomicInteger changes = new AtomicInteger();
            run.onEvent(e -> {
                if (e instanceof DeploymentEvent.HealthChanged) {
                    changes.incrementAndGet();
                }
            });
            int wanted = 20 + 7 * round; // each round cancels at another point of the stream of writes
            TinyServices.await("health events", WAIT, () -> changes.get() >= wanted);
            engine.orchestrator().cancel(CTX, run.runId());
            assertThat(run.await(WAIT)).as("round " + round).isEqualTo(RunState.CANCELLED);
        }
        assertThat(engine.orchestrator().history(CTX, 20)).extracting(r -> r.state()).containsOnly(
                RunState.CANCELLED).hasSize(12);
    }

    private static Instant at(List<DeploymentEvent> events, String service, StepState state) {
        return events.stream().filter(e -> e instanceof DeploymentEvent.StepStateChanged s && s.service().equals(
                service) && s.state() == state).map(DeploymentEvent::at).findFirst().orElseThrow(
                        () -> new AssertionError(service + " never " + state));
    }

    static String unique() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
