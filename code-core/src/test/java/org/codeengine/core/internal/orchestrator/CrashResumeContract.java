package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.DeploymentSpecs;
import org.codeengine.core.testservices.DeployAndWait;
import org.codeengine.plugin.testkit.CrashHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host JVM deploys a chain a -> b -> c -> d of real services and is killed with SIGKILL while c is starting; a new
 * engine resumes the run from the store. The services' record file is the side channel that counts executions.
 */
abstract class CrashResumeContract {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "t");
    static final Duration WAIT = Duration.ofSeconds(90);
    static final Duration LEASE = Duration.ofSeconds(2);

    @TempDir
    Path dir;
    TinyServices tiny;
    final List<Process> hosts = new ArrayList<>();
    final List<CodeEngine> engines = new ArrayList<>();

    /** {@return the store both hosts share} */
    abstract StoreConfig store();

    /** {@return the arguments that give {@link DeployAndWait} the same store} */
    abstract List<String> storeArgs();

    @BeforeEach
    void setUp() {
        tiny = new TinyServices(dir);
    }

    @AfterEach
    void tearDown() {
        hosts.forEach(Process::destroyForcibly);
        engines.forEach(CodeEngine::close);
        tiny.killAll();
    }

    /** The lease the host holds its run with. */
    Duration hostLease = LEASE;

    /** How long c waits before its first probe: the window in which the host is killed. */
    Duration cDelay = Duration.ofSeconds(3);

    /** Something to check while the host still runs the deployment. */
    @FunctionalInterface
    interface WhileAlive {
        void check(String runId) throws Exception;
    }

    DeploymentSpec chain() {
        return DeploymentSpec.of("chain", "dev", List.of(tiny.service("a", 200).build(), tiny.service("b", 200, "a")
                .build(),
                tiny.service("c", 200, "b").healthCheck(HealthCheckSpec.http(
                        "http://127.0.0.1:${port}/health").withTiming(cDelay, Duration.ofMillis(100),
                                300))
                        .build(),
                tiny.service("d", 200, "c").build()));
    }

    /** Starts a host JVM on the deployment and kills it with SIGKILL once {@code c} has started. */
    String deployAndKillMidRun() throws Exception {
        return deployAndKillMidRunButFirst(runId -> {
        });
    }

    String deployAndKillMidRunButFirst(WhileAlive whileAlive) throws Exception {
        Path spec = dir.resolve("chain.json");
        Files.writeString(spec, DeploymentSpecs.toJson(chain()));
        List<String> command = new ArrayList<>(List.of(TinyServices.JAVA, "-cp", CrashHosts.testClassPath(),
                DeployAndWait.class.getName(), "--spec", spec.toString(), "--lease", hostLease.toString()));
        command.addAll(storeArgs());
        Process host = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("host.log")
                .toFile()).start();
        hosts.add(host);
        Path runFile = dir.resolve("chain.json.run");
        TinyServices.await("the run to start", WAIT, () -> Files.exists(runFile) || !host.isAlive());
        TinyServices.await("the run id", WAIT, () -> readQuietly(runFile).length() >= 36 || !host.isAlive());
        whileAlive.check(readQuietly(runFile));
        TinyServices.await("c to start", WAIT, () -> tiny.starts("c") == 1 || !host.isAlive());
        assertThat(host.isAlive()).as("host alive; its log: %s", dir.resolve("host.log")).isTrue();
        host.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        TinyServices.await("the host to die", WAIT, () -> !host.isAlive());
        assertThat(tiny.starts("d")).isZero();
        return readQuietly(runFile);
    }

    static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file).strip() : "";
        } catch (IOException e) {
            return "";
        }
    }

    CodeEngine engine(boolean adopt) {
        CodeEngine engine = CodeEngine.builder().store(store()).runLease(LEASE).adoptOrphanedRuns(adopt).build();
        engines.add(engine);
        return engine;
    }

    @Test
    void resume_afterSigkill_finishesTheRun_withoutRunningCompletedStepsAgain() throws Exception {
        String runId = deployAndKillMidRun();
        CodeEngine engine = engine(false);

        RunHandle run = resumeOnceTheLeaseExpires(engine, runId);

        assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.steps()).extracting(StepRecord::state).containsOnly(StepState.HEALTHY);
        assertThat(tiny.starts("a")).as("a ran before the crash and is not run again").isEqualTo(1);
        assertThat(tiny.starts("b")).as("b ran before the crash and is not run again").isEqualTo(1);
        assertThat(tiny.starts("c")).as("c was started when the host died: re-attached").isEqualTo(1);
        assertThat(tiny.starts("d")).isEqualTo(1);
        assertThat(tiny.alivePids()).hasSize(4);

        assertThat(engine.orchestrator().rollback(CTX, runId).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(tiny.alivePids()).as("no process left behind").isEmpty();
    }

    @Test
    void resume_rightAfterSigkill_takesTheRunOverAtOnce_asItsHolderIsGoneFromThisHost() throws Exception {
        hostLease = Duration.ofMinutes(10); // were the lease waited out, the resume would be refused
        String runId = deployAndKillMidRun();
        CodeEngine engine = engine(false);

        RunHandle run = engine.orchestrator().resume(CTX, runId);

        assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(tiny.started()).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(tiny.alivePids()).hasSize(4);
        assertThat(engine.orchestrator().rollback(CTX, runId).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(tiny.alivePids()).isEmpty();
    }

    @Test
    void anAdoptingEngine_takesOverTheRunOfAnEngineGoneFromThisHost_withoutWaitingForItsLease() throws Exception {
        hostLease = Duration.ofMinutes(10);
        String runId = deployAndKillMidRun();

        CodeEngine survivor = engine(true);

        TinyServices.await("the survivor to finish the run", WAIT, () -> survivor.orchestrator().inspect(CTX, runId)
                .state() == RunState.SUCCEEDED);
        assertThat(tiny.started()).containsExactlyInAnyOrder("a", "b", "c", "d");
        assertThat(survivor.orchestrator().rollback(CTX, runId).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(tiny.alivePids()).isEmpty();
    }

    @Test
    void resume_ofARunWhoseHolderLives_isRefusedUntilItsLeaseExpires() {
        CodeEngine holder = CodeEngine.builder().store(store()).runLease(Duration.ofMinutes(10)).adoptOrphanedRuns(
                false).build();
        engines.add(holder);
        cDelay = Duration.ofSeconds(30);
        RunHandle run = holder.orchestrator().deploy(CTX, chain());
        CodeEngine other = engine(false);

        assertThatThrownBy(() -> other.orchestrator().resume(CTX, run.runId())).isInstanceOf(
                UnavailableException.class).hasMessageContaining("is held by");
        assertThat(run.state()).isEqualTo(RunState.RUNNING);
        run.cancel();
        assertThat(run.await(WAIT)).isEqualTo(RunState.CANCELLED);
    }

    static RunHandle resumeOnceTheLeaseExpires(CodeEngine engine, String runId) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                return engine.orchestrator().resume(CTX, runId);
            } catch (UnavailableException held) {
                assertThat(held.getMessage()).contains("is held by");
                assertThat(System.nanoTime()).as("lease never expired").isLessThan(deadline);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw held;
                }
            }
        }
    }

}
