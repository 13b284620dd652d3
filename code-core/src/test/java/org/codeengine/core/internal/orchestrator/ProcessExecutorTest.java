package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StepHandle;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.internal.executors.CommandProbe;
import org.codeengine.core.internal.executors.ProcessExecutor;
import org.codeengine.plugin.testkit.BadSetting;
import org.codeengine.plugin.testkit.RecordingStepContext;
import org.codeengine.plugin.testkit.StepExecutorContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local-process executor and the command probe, on real child processes; and the kit every executor passes. */
class ProcessExecutorTest extends StepExecutorContract {
    @TempDir
    Path dir;

    final ProcessExecutor executor = new ProcessExecutor();
    RecordingStepContext instance;

    @Override
    protected StepExecutor executor() {
        return executor;
    }

    @Override
    protected Map<String, String> runningSettings(RecordingStepContext context) {
        return Map.of("command", "sleep 60", "log", work.resolve(context.runId() + ".log").toString(), "stopGrace",
                "2s");
    }

    @Override
    protected List<BadSetting> badSettings() {
        return List.of(BadSetting.of("command", "log", "x.log"), BadSetting.of("stopGrace", "command", "sleep 1",
                "stopGrace", "soon"), BadSetting.of("dir", "command", "sleep 1", "dir", "/no/such/folder"),
                BadSetting.of("colour", "command", "sleep 1", "colour", "blue"));
    }

    /** {@return the context of instance 0 of service svc in run run-1, the same for the whole test} */
    RecordingStepContext svc() {
        if (instance == null) {
            instance = new RecordingStepContext("run-1", "svc", 0, "blue", dir.resolve("logs"));
        }
        return instance;
    }

    StepRecord record() {
        return svc().stepRecord();
    }

    @Test
    void start_passesEnvironmentAndDirectory_capturesOutput_andRecordsWhatUndoNeeds() throws Exception {
        Path log = dir.resolve("svc.log");
        StepHandle handle = executor.start("svc", Map.of("command", "sh -c 'echo \"$GREETING from $(pwd)\"; sleep 30'",
                "env.GREETING", "hello world", "dir", dir.toString(), "log", log.toString()), svc());
        handle.awaitStarted(Duration.ofSeconds(5));

        assertThat(svc().recorded()).containsKeys("pid", "started", "stopGrace", "log");
        TinyServices.await("output in the log", Duration.ofSeconds(10), () -> CrashResumeContract.readQuietly(log)
                .contains("hello world from " + dir));
        assertThat(executor.alive(record())).isTrue();
        executor.undo(record(), svc());
        assertThat(handle.alive()).isFalse();
        assertThat(executor.alive(record())).isFalse();
        executor.undo(record(), svc()); // gone already: nothing to do
    }

    @Test
    void undo_sendsSigkill_toAProcessThatIgnoresSigterm_afterTheGracePeriod() {
        executor.start("svc", Map.of("command", "sh -c 'trap \"\" TERM; echo ready; while true; do sleep 0.1; done'",
                "stopGrace", "300ms", "log", dir.resolve("stubborn.log").toString()), svc()).awaitStarted(Duration
                        .ofSeconds(5));
        TinyServices.await("the trap to be set", Duration.ofSeconds(10), () -> CrashResumeContract.readQuietly(dir
                .resolve("stubborn.log")).contains("ready"));
        long pid = Long.parseLong(svc().recorded().get("pid"));
        long began = System.nanoTime();
        executor.undo(record(), svc());
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void undo_leavesAProcessAlone_whoseIdWasReused() throws Exception {
        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            svc().recorded().putAll(Map.of("pid", Long.toString(other.pid()), "started", "12345", "stopGrace", "PT1S"));
            executor.undo(record(), svc());
            assertThat(other.isAlive()).as("a recorded start time that differs means another process").isTrue();
        } finally {
            other.destroyForcibly();
        }
    }

    @Test
    void start_failsClearly_forACommandThatDoesNotExist_orExitsAtOnce() {
        assertThatThrownBy(() -> executor.start("svc", Map.of("command", "/no/such/binary"), svc())).isInstanceOf(
                InvalidRequestException.class).hasMessageContaining("cannot start '/no/such/binary' for service 'svc'");
        StepHandle quick = executor.start("svc", Map.of("command", "sh -c 'exit 3'", "log", dir.resolve("q.log")
                .toString()), svc());
        TinyServices.await("exit", Duration.ofSeconds(5), () -> !quick.alive());
        assertThatThrownBy(() -> quick.awaitStarted(Duration.ofSeconds(1))).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("exited with code 3");
    }

    @Test
    void commandProbe_isHealthyOnTheExpectedExitCode_andKillsACommandThatTakesTooLong() {
        CommandProbe probe = new CommandProbe();
        assertThat(probe.probe(Map.of("command", "true"), Duration.ofSeconds(5)).healthy()).isTrue();
        assertThat(probe.probe(Map.of("command", "sh -c 'exit 2'"), Duration.ofSeconds(5)).detail()).isEqualTo(
                "exit 2");
        assertThat(probe.probe(Map.of("command", "sh -c 'exit 2'", "exitCode", "2"), Duration.ofSeconds(5))
                .healthy()).isTrue();
        assertThat(probe.probe(Map.of("command", "sleep 10"), Duration.ofMillis(200)).detail()).startsWith(
                "no exit within");
    }

    @Test
    void aServiceNotHealthyWithinItsTimeout_failsItsStep() {
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db")))
                .adoptOrphanedRuns(false).build()) {
            ServiceSpec slow = ServiceSpec.builder("slow", "process").setting("command", "sleep 30").healthCheck(
                    HealthCheckSpec.of("command", Map.of("command", "false")).withTiming(Duration.ZERO, Duration
                            .ofMillis(50), 1000))
                    .timeout(Duration.ofSeconds(2)).build(); // room for probes to finish on a loaded machine
            RunHandle run = engine.orchestrator().deploy(new CallContext(new Principal("t", Principal.Kind.USER, Set
                    .of("admin")), null, "t"), DeploymentSpec.of("one", "dev", List.of(slow)));
            assertThat(run.await(Duration.ofSeconds(30))).isEqualTo(RunState.ROLLED_BACK);
            assertThat(run.steps().getFirst().error()).contains("was not healthy in time").contains("exit 1");
        }
    }

    @Test
    void start_stopsTheProcess_whenRecordingItFails_forNothingCouldUndoItLater() {
        Map<String, String> seen = new HashMap<>();
        InstanceContext failing = new InstanceContext("run-1", "svc", 0, "blue", Clock.systemUTC(), outputs -> {
            seen.putAll(outputs);
            throw new UnavailableException("the journal is down (test)", null, null);
        }, message -> {
        }, dir.resolve("logs"));
        assertThatThrownBy(() -> executor.start("svc", Map.of("command", "sleep 30", "log", dir.resolve("r.log")
                .toString()), failing)).isInstanceOf(UnavailableException.class).hasMessageContaining(
                        "the journal is down");
        long pid = Long.parseLong(seen.get("pid"));
        try {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("process " + pid
                    + " left running").isFalse();
        } finally {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }
}
