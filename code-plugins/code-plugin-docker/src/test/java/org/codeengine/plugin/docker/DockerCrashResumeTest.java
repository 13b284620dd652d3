package org.codeengine.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.CrashHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's JVM is killed with SIGKILL in the middle of deploying containers, ten times at random moments; each
 * time a new engine resumes the run from the store. The daemon's own events count what was created and started.
 */
class DockerCrashResumeTest {
    static final int KILLS = 10;
    /** Kills fall at random within this long after the run has begun: inside the deploy, which lasts over 3 s. */
    static final Duration WINDOW = Duration.ofMillis(2500);

    @TempDir
    Path dir;
    final List<String> runs = new ArrayList<>();
    final List<Process> hosts = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        hosts.forEach(Process::destroyForcibly);
        TestDocker.removeAll(TestDocker.client(), runs);
    }

    @Test
    void resume_afterSigkillAtRandomMoments_startsEveryServicesContainerExactlyOnce_andRollbackLeavesNone()
            throws Exception {
        DockerClient docker = TestDocker.daemon();
        TestDocker.image(docker);
        List<Long> killedAfterMillis = new ArrayList<>();
        for (int k = 0; k < KILLS; k++) {
            Path round = Files.createDirectories(dir.resolve("round-" + k));
            long since = System.currentTimeMillis() / 1000 - 1;
            long delay = ThreadLocalRandom.current().nextLong(WINDOW.toMillis());
            String runId = deployAndKill(round, delay);
            killedAfterMillis.add(delay);
            assertThat(round.resolve("finished")).as("killed before the deploy ended").doesNotExist();

            try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(round.resolve("db/code-db")))
                    .runLease(CrashHost.LEASE).adoptOrphanedRuns(false).build()) {
                RunHandle run = CrashHosts.resumeOnceTheLeaseExpires(engine.orchestrator(), DockerDeployTest.CTX,
                        runId, DockerDeployTest.WAIT);
                assertThat(run.await(DockerDeployTest.WAIT)).as("round %d, killed %d ms in", k, delay).isEqualTo(
                        RunState.SUCCEEDED);
                assertThat(run.steps()).extracting(StepRecord::state).containsOnly(StepState.HEALTHY);
                Map<String, Map<String, Long>> actions = TestDocker.events(docker, since, List.of(runId)).stream()
                        .collect(Collectors.groupingBy(TestDocker.Event::service, Collectors.groupingBy(
                                TestDocker.Event::action, Collectors.counting())));
                for (String service : List.of("db", "api", "front")) {
                    assertThat(actions.get(service)).as("round %d, killed %d ms in: %s", k, delay, service)
                            .containsEntry("create", 1L).containsEntry("start", 1L).doesNotContainKeys("die",
                                    "destroy");
                }
                assertThat(TestDocker.containersOf(docker, runId)).hasSize(3);

                assertThat(engine.orchestrator().rollback(DockerDeployTest.CTX, runId).await(DockerDeployTest.WAIT))
                        .isEqualTo(RunState.ROLLED_BACK);
                assertThat(TestDocker.containersOf(docker, runId)).as("containers left behind").isEmpty();
            }
        }
        System.out.println("killed the engine " + killedAfterMillis + " ms after each run began");
    }

    /** Starts a host JVM on the plan and kills it with SIGKILL {@code delay} ms after its run has begun. */
    String deployAndKill(Path round, long delay) throws IOException, InterruptedException {
        CrashHosts.Host host = CrashHosts.start(CrashHost.class, round.resolve("run"), Duration.ofSeconds(60), round
                .resolve("db/code-db").toString(), round.resolve("run").toString());
        hosts.add(host.process());
        runs.add(host.runId());
        Thread.sleep(delay); // the random moment of the kill, not a wait for anything
        host.kill();
        return host.runId();
    }
}
