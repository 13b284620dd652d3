package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.RunSummary;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.DeploymentSpecs;
import org.codeengine.core.internal.executors.ProcessExecutor;
import org.codeengine.core.internal.executors.ProcessMarks;
import org.codeengine.core.testservices.DeployAndWait;
import org.codeengine.plugin.testkit.CrashHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine dies between starting a process and recording it (a test hook halts its JVM exactly there): the process
 * runs on, recorded nowhere. The engine that takes the run up finds it by the marks in its environment and stops it,
 * whether it resumes the run or rolls it back.
 */
class OrphanWindowTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "t");
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    final MarkedSleeps sleeps = new MarkedSleeps();
    final List<Process> hosts = new ArrayList<>();
    CodeEngine engine;

    @AfterEach
    void tearDown() {
        hosts.forEach(Process::destroyForcibly);
        if (engine != null) {
            engine.close();
        }
        sleeps.killAll();
    }

    /** a, then two instances of b; the host halts right after it starts b's first. */
    DeploymentSpec chain() {
        return DeploymentSpec.of("orphans", "dev", List.of(sleeps.service("a").build(), sleeps.service("b")
                .dependsOn("a").instances(2).build()));
    }

    /** {@return the run the host left, and the process it left unrecorded} */
    record Left(String runId, ProcessHandle orphan) {}

    Left deployAndHaltBetweenStartAndRecord() throws Exception {
        Path spec = dir.resolve("orphans.json");
        Files.writeString(spec, DeploymentSpecs.toJson(chain()));
        Process host = new ProcessBuilder(TinyServices.JAVA, "-Dorg.codeengine.test.haltAfterStartOf=b", "-cp",
                CrashHosts.testClassPath(), DeployAndWait.class.getName(), "--spec", spec.toString(),
                "--lease", "PT10M", "--h2", dir.resolve("db/code-db").toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("host.log").toFile()).start();
        hosts.add(host);
        TinyServices.await("the host to halt", WAIT, () -> !host.isAlive());
        assertThat(host.exitValue()).as("halted by the hook; its log: %s", dir.resolve("host.log")).isEqualTo(86);
        // the embedded store is the host's alone while it runs
        engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("db/code-db"))).adoptOrphanedRuns(false)
                .build();

        List<RunSummary> runs = engine.orchestrator().history(CTX, 10);
        assertThat(runs).singleElement().extracting(RunSummary::state).isEqualTo(RunState.RUNNING);
        String runId = runs.getFirst().runId();
        RunSummary run = engine.orchestrator().inspect(CTX, runId);
        assertThat(run.steps().get(1).state()).isEqualTo(StepState.STARTING);
        assertThat(RunExecution.hasInstances(run.steps().get(1))).as("b's process is recorded nowhere").isFalse();
        List<ProcessHandle> orphans = ProcessMarks.find(Map.of(ProcessMarks.RUN, runId, ProcessMarks.SERVICE, "b"));
        assertThat(orphans).as("b's first instance runs on").hasSize(1);
        return new Left(runId, orphans.getFirst());
    }

    @Test
    void resume_afterACrashBetweenStartAndRecord_stopsTheUnrecordedProcess_andStartsItsInstanceOnce()
            throws Exception {
        Left left = deployAndHaltBetweenStartAndRecord();
        long a = ProcessMarks.find(Map.of(ProcessMarks.RUN, left.runId(), ProcessMarks.SERVICE, "a")).getFirst()
                .pid();

        RunHandle run = engine.orchestrator().resume(CTX, left.runId());

        assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(ProcessExecutor.gone(left.orphan())).as("the unrecorded process has exited").isTrue();
        assertThat(ProcessMarks.find(Map.of(ProcessMarks.RUN, left.runId(), ProcessMarks.SERVICE, "b"))).as(
                "b's instances alive").hasSize(2);
        assertThat(sleeps.alive()).as("all the plan's processes").hasSize(3).extracting(ProcessHandle::pid).contains(
                a);
    }

    @Test
    void rollback_afterACrashBetweenStartAndRecord_leavesNothingRunning() throws Exception {
        Left left = deployAndHaltBetweenStartAndRecord();

        assertThat(engine.orchestrator().rollback(CTX, left.runId()).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);

        assertThat(ProcessExecutor.gone(left.orphan())).as("the unrecorded process has exited").isTrue();
        assertThat(sleeps.alive()).isEmpty();
    }
}
