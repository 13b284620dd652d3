package org.codeengine.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentEvent;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.RecordingStepContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Docker daemon that stops in the middle of a run: on a daemon of the test's own, beside the one other tests use. */
class DockerDaemonLossTest {
    @TempDir
    Path dir;

    @Test
    void aDaemonThatStopsMidRun_failsItsServiceSayingWhatToStart_andOpensTheBreakerOfThatDaemonOnly()
            throws IOException {
        DockerClient main = TestDocker.daemon();
        TestDocker.image(main);
        List<String> runs = new ArrayList<>();
        int gatePort = DockerExecutorTest.freePort(); // web is healthy once the test listens here
        ServerSocket gate = null;
        try (PrivateDaemon edgeHost = PrivateDaemon.start(dir.resolve("dockerd"));
                CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("db/code-db")))
                        .adoptOrphanedRuns(false).build()) {
            TestDocker.image(edgeHost.client());
            // web runs on the daemon other tests use, and is healthy when the test says; edge then starts on the
            // test's own daemon, which by then has stopped
            DeploymentSpec spec = DeploymentSpec.of("shop", "dev", List.of(DockerDeployTest.web("web").healthCheck(
                    HealthCheckSpec.of("tcp", Map.of("port", Integer.toString(gatePort)))).build(),
                    DockerDeployTest.web("edge", "web").setting("host", edgeHost.address()).retry(new RetryPolicy(7,
                            Duration.ofMillis(20), Duration.ofMillis(50), 1.5, 0)).build()));
            List<DeploymentEvent> events = Collections.synchronizedList(new ArrayList<>());
            RunHandle run = engine.orchestrator().deploy(DockerDeployTest.CTX, spec);
            runs.add(run.runId());
            run.onEvent(events::add);
            TestDocker.await("web's container runs", () -> TestDocker.containersOf(main, run.runId()).size() == 1,
                    Duration.ofSeconds(30));

            edgeHost.stop();
            gate = new ServerSocket(gatePort, 50, InetAddress.getLoopbackAddress());

            assertThat(run.await(DockerDeployTest.WAIT)).isEqualTo(RunState.ROLLED_BACK);
            Map<String, StepRecord> steps = run.steps().stream().collect(Collectors.toMap(StepRecord::service,
                    s -> s));
            assertThat(steps.get("edge").state()).isEqualTo(StepState.FAILED);
            assertThat(steps.get("edge").error()).isEqualTo("starts with executor 'docker' at target '" + edgeHost
                    .address() + "' failed too often; its circuit breaker is open for now");
            List<String> retried = events.stream().filter(e -> e instanceof DeploymentEvent.StepRetried).map(
                    e -> ((DeploymentEvent.StepRetried) e).error()).toList();
            assertThat(retried).first().asString().startsWith("service 'edge': the Docker daemon at " + edgeHost
                    .address() + " is not reachable (").contains("start dockerd");
            assertThat(steps.get("web").state()).isEqualTo(StepState.ROLLED_BACK);
            assertThat(TestDocker.containersOf(main, run.runId())).as("containers left behind").isEmpty();

            // the breaker is the stopped daemon's alone: the same engine still deploys on the other daemon
            RunHandle other = engine.orchestrator().deploy(DockerDeployTest.CTX, DeploymentSpec.of("other", "dev",
                    List.of(DockerDeployTest.web("solo").build())));
            runs.add(other.runId());
            assertThat(other.await(DockerDeployTest.WAIT)).isEqualTo(RunState.SUCCEEDED);
            assertThat(engine.orchestrator().rollback(DockerDeployTest.CTX, other.runId()).await(DockerDeployTest.WAIT))
                    .isEqualTo(RunState.ROLLED_BACK);
        } finally {
            if (gate != null) {
                gate.close();
            }
            TestDocker.removeAll(main, runs);
        }
    }

    @Test
    void dockerHostOverTcp_reachesADaemonListeningOnLoopback() throws IOException {
        TestDocker.daemon();
        String address = "tcp://127.0.0.1:" + DockerExecutorTest.freePort();
        try (PrivateDaemon daemon = PrivateDaemon.start(dir.resolve("tcp-dockerd"), List.of(address))) {
            TestDocker.image(daemon.client());
            DockerExecutor executor = new DockerExecutor(Map.of("DOCKER_HOST", address));
            DockerExecutorTest test = new DockerExecutorTest();
            RecordingStepContext context = test.context(org.codeengine.api.orchestrator.Resources.NONE);
            int port = DockerExecutorTest.freePort();

            executor.start("web", DockerExecutorTest.web(port), context).awaitStarted(Duration.ofSeconds(10));

            assertThat(executor.target(Map.of())).isEqualTo(address);
            assertThat(context.recorded()).containsEntry("host", address);
            DockerExecutorTest.awaitServing(port);
            executor.undo(context.stepRecord(), context);
            assertThat(TestDocker.containersOf(daemon.client(), context.runId())).isEmpty();
        }
    }
}
