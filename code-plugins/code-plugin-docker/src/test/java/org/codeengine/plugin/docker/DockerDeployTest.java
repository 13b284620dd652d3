package org.codeengine.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.Rollout;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plans of containers deployed through the engine (found by ServiceLoader, as a host finds it) onto the real daemon:
 * busybox web servers on the host network, bound to 127.0.0.1, gated on HTTP health checks.
 */
class DockerDeployTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "trace-docker");
    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    DockerClient docker;
    CodeEngine engine;
    final List<String> runs = new ArrayList<>();
    long since;

    @BeforeEach
    void open() throws IOException {
        docker = TestDocker.daemon();
        TestDocker.image(docker);
        since = System.currentTimeMillis() / 1000 - 1;
        engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("db/code-db"))).adoptOrphanedRuns(false)
                .build();
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        if (docker != null) {
            TestDocker.removeAll(docker, runs);
        }
    }

    /** A busybox web server on {@code ${port}} with an HTTP health check on {@code /health}. */
    static ServiceSpec.Builder web(String name, String... dependsOn) {
        return ServiceSpec.builder(name, "docker").dependsOn(dependsOn).setting("image", TestDocker.IMAGE).setting(
                "pull", "never").setting("args", "httpd -f -p 127.0.0.1:${port} -h /www").setting("stopGrace", "2s")
                .setting("init", "true")
                .healthCheck(HealthCheckSpec.http("http://127.0.0.1:${port}/health")).timeout(Duration.ofSeconds(30));
    }

    RunHandle deploy(DeploymentSpec spec) {
        RunHandle run = engine.orchestrator().deploy(CTX, spec);
        runs.add(run.runId());
        return run;
    }

    /** {@return the services in the order the daemon saw the action happen to their containers} */
    List<String> order(String action, String run) {
        return TestDocker.events(docker, since, List.of(run)).stream().filter(e -> e.action().equals(action)).map(
                TestDocker.Event::service).toList();
    }

    @Test
    void deploy_startsContainersInDependencyOrderBehindHealthChecks_andRollbackRemovesThemInReverse() {
        // front is gated by the docker probe, which runs wget inside its container
        RunHandle run = deploy(DeploymentSpec.of("shop", "dev", List.of(web("db").build(), web("api", "db").build(),
                web("front", "api").healthCheck(HealthCheckSpec.of("docker", Map.of("container",
                        "code-${service}-${slot}-${instance}-${run}", "exec",
                        "/bin/busybox wget -q -O /dev/null http://127.0.0.1:${port}/health"))).build())));

        assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.steps()).extracting(StepRecord::state).containsOnly(StepState.HEALTHY);
        assertThat(run.steps()).allSatisfy(s -> assertThat(s.outputs()).containsKeys("0.containerId", "0.container",
                "0.port", "0.host"));
        assertThat(TestDocker.containersOf(docker, run.runId())).hasSize(3);
        for (StepRecord step : run.steps()) {
            assertThat(DockerExecutorTest.get(Integer.parseInt(step.outputs().get("0.port")))).as(step.service())
                    .isEqualTo(200);
        }
        assertThat(order("start", run.runId())).containsExactly("db", "api", "front");

        assertThat(engine.orchestrator().rollback(CTX, run.runId()).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);

        assertThat(TestDocker.containersOf(docker, run.runId())).as("containers left behind").isEmpty();
        assertThat(order("destroy", run.runId())).containsExactly("front", "api", "db");
        assertThat(order("create", run.runId())).as("each container created once").containsExactly("db", "api",
                "front");
        assertThat(engine.orchestrator().inspect(CTX, run.runId()).steps()).extracting(StepRecord::state)
                .containsOnly(StepState.ROLLED_BACK);
    }

    /** A container that says it listens, then exits 3 a second later, before it ever serves its health check. */
    static ServiceSpec.Builder crashing(String name, String... dependsOn) {
        return web(name, dependsOn).setting("args", "[\"sh\", \"-c\", \"echo listening on ${port}; sleep 1;"
                + " echo 'fatal: DB_URL is not set' >&2; exit 3\"]");
    }

    @Test
    void deploy_failsTheRunWithTheExitCodeAndLastLogLine_whenAContainerExitsDuringItsHealthGate_andUndoesAll() {
        ServiceSpec crashing = crashing("api", "db").build();
        RunHandle run = deploy(DeploymentSpec.of("shop", "dev", List.of(web("db").build(), crashing, web("front",
                "api").build())));

        assertThat(run.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);

        Map<String, StepRecord> steps = run.steps().stream().collect(Collectors.toMap(StepRecord::service, s -> s));
        assertThat(steps.get("api").state()).isEqualTo(StepState.FAILED);
        assertThat(steps.get("api").error()).contains("exit 3; last log lines: 'listening on").contains(
                "| 'fatal: DB_URL is not set'; whole log in");
        assertThat(steps.get("db").state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(steps.get("front").state()).isEqualTo(StepState.SKIPPED);
        assertThat(TestDocker.containersOf(docker, run.runId())).as("containers left behind").isEmpty();
        assertThat(order("destroy", run.runId())).containsExactly("api", "db");
    }

    @Test
    void blueGreen_keepsTheOldContainerServing_whenTheNewOneFails_andReplacesItWhenTheNewOneIsHealthy() {
        RunHandle first = deploy(DeploymentSpec.of("site", "dev", List.of(web("front").rollout(Rollout.BLUE_GREEN)
                .build())));
        assertThat(first.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        int oldPort = Integer.parseInt(first.steps().getFirst().outputs().get("0.port"));
        assertThat(first.steps().getFirst().outputs()).containsEntry("slot", "blue");

        RunHandle broken = deploy(DeploymentSpec.of("site", "dev", List.of(crashing("front").rollout(
                Rollout.BLUE_GREEN).build())));
        assertThat(broken.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);

        assertThat(broken.steps().getFirst().error()).contains("exit 3");
        assertThat(DockerExecutorTest.get(oldPort)).as("the old container still serves").isEqualTo(200);
        assertThat(TestDocker.containersOf(docker, first.runId())).hasSize(1);
        assertThat(TestDocker.containersOf(docker, broken.runId())).as("the failed green container").isEmpty();

        RunHandle third = deploy(DeploymentSpec.of("site", "dev", List.of(web("front").rollout(Rollout.BLUE_GREEN)
                .build())));
        assertThat(third.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(third.steps().getFirst().outputs()).containsEntry("slot", "green");
        assertThat(engine.orchestrator().inspect(CTX, first.runId()).state()).isEqualTo(RunState.SUPERSEDED);
        assertThat(TestDocker.containersOf(docker, first.runId())).as("the old blue container").isEmpty();
        assertThat(DockerExecutorTest.get(Integer.parseInt(third.steps().getFirst().outputs().get("0.port"))))
                .isEqualTo(200);
        assertThat(TestDocker.events(docker, since, runs)).filteredOn(e -> e.action().equals("create")).extracting(
                TestDocker.Event::slot).containsExactly("blue", "green", "green");

        assertThat(engine.orchestrator().rollback(CTX, third.runId()).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(TestDocker.containersOf(docker, third.runId())).isEmpty();
    }
}
