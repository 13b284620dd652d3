package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.DeploymentSpecs;
import org.codeengine.core.internal.executors.CommandProbe;
import org.codeengine.core.internal.executors.HttpProbe;
import org.codeengine.core.internal.executors.ProcessExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a hostile trial of the orchestrator found: unbounded plans, commands that do not exist, slow rollbacks. */
class HardeningTest {
    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    final Planner planner = new Planner(Map.of("process", new ProcessExecutor()), Map.of("http", new HttpProbe(),
            "command", new CommandProbe()));

    static DeploymentSpec one(ServiceSpec service) {
        return DeploymentSpec.of("shop", "dev", List.of(service));
    }

    @Test
    void plan_refusesMoreInstancesThanTheEngineAllows_byDefault64() {
        ServiceSpec many = ServiceSpec.builder("web", "process").setting("command", "sleep 60").instances(100_000)
                .build();

        assertThatThrownBy(() -> planner.plan(one(many))).isInstanceOf(InvalidRequestException.class).hasMessage(
                "service 'web' asks for 100000 instances, more than the 64 this engine allows (its maxInstances"
                        + " setting)");
        assertThat(planner.plan(one(ServiceSpec.builder("web", "process").setting("command", "sleep 60").instances(
                64).build())).phases()).containsExactly(List.of("web"));
        assertThat(new Planner(Map.of("process", new ProcessExecutor()), Map.of(), 200_000).plan(one(many))
                .phases()).as("a host that allows more").containsExactly(List.of("web"));
    }

    @Test
    void plan_countsEveryInstanceAgainstTheCapacity() {
        DeploymentSpec spec = new DeploymentSpec("shop", "dev", List.of(ServiceSpec.builder("web", "process")
                .setting("command", "sleep 60").resources(new Resources(500, 0)).instances(10).build()), 4,
                new Resources(4000, Long.MAX_VALUE));

        assertThatThrownBy(() -> planner.plan(spec)).isInstanceOf(InvalidRequestException.class).hasMessage(
                "service 'web' asks for 5000 cpuMillis (10 instances), 1000 more than the capacity of 4000");
    }

    @Test
    void engineBuilder_refusesAMaxInstancesBelowOne_andPlansWithTheOneItIsGiven() {
        assertThatThrownBy(() -> CodeEngine.builder().maxInstances(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxInstances must be at least 1 but was 0");
        DeploymentSpec spec = one(ServiceSpec.builder("web", "process").setting("command", "sleep 60").instances(3)
                .build());

        assertThat(CodeEngine.builder().maxInstances(3).plan(spec).phases()).containsExactly(List.of("web"));
        assertThatThrownBy(() -> CodeEngine.builder().maxInstances(2).plan(spec)).hasMessageContaining(
                "more than the 2 this engine allows");
    }

    @Test
    void plan_failsWhole_whenTheCommandDoesNotExist_namingTheServiceAndTheCommand() {
        assertThatThrownBy(() -> planner.plan(one(ServiceSpec.builder("web", "process").setting("command",
                "no-such-program-22 --port 8080").build()))).isInstanceOf(InvalidRequestException.class).hasMessage(
                        "service 'web' settings: setting 'command' runs 'no-such-program-22', which is not found on "
                                + "the PATH");
        assertThatThrownBy(() -> planner.plan(one(ServiceSpec.builder("web", "process").setting("command", dir
                .resolve("bin/missing") + " x").build()))).hasMessage("service 'web' settings: setting 'command' runs"
                        + " '" + dir.resolve("bin/missing") + "', which is not an existing file");
    }

    @Test
    void plan_resolvesCommandsOnThePath_byPath_andRelativeToDir_butNotThoseMadeUpByPlaceholders() throws Exception {
        Path script = Files.writeString(dir.resolve("run.sh"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path plain = Files.writeString(dir.resolve("data.txt"), "not a program");

        for (ServiceSpec fine : List.of(ServiceSpec.builder("web", "process").setting("command", "sleep 60").build(),
                ServiceSpec.builder("web", "process").setting("command", script.toString()).build(), ServiceSpec
                        .builder("web", "process").setting("command", "./run.sh").setting("dir", dir.toString())
                        .build(),
                ServiceSpec.builder("web", "process").setting("command", dir + "/${service}/bin/serve --port ${port}")
                        .build())) {
            assertThat(planner.plan(one(fine)).phases()).as(fine.settings().toString()).containsExactly(List.of(
                    "web"));
        }
        assertThatThrownBy(() -> planner.plan(one(ServiceSpec.builder("web", "process").setting("command", plain
                .toString()).build()))).hasMessageEndingWith("', which is not an executable file");
    }

    @Test
    void read_ofABinaryFile_saysItIsNotUtf8Text_atWhichByte() throws Exception {
        Path file = dir.resolve("plan.yaml");
        Files.write(file, new byte[]{'n', 'a', 'm', 'e', ':', ' ', (byte) 0xC3, 0x28, 0x00, (byte) 0xFF});

        assertThatThrownBy(() -> DeploymentSpecs.read(file)).isInstanceOf(InvalidRequestException.class).hasMessage(
                "deployment spec " + file + " is not UTF-8 text: byte 6 (0xc3) is not valid UTF-8");
        Files.writeString(file, "name: café\nenvironment: dev\nservices: []\n");
        assertThatThrownBy(() -> DeploymentSpecs.read(file)).as("UTF-8 text reads, and fails on its rules")
                .hasMessageContaining("but was 'café'");
    }

    /** A service that ignores SIGTERM, and is healthy once it has said so (its trap is set by then). */
    ServiceSpec ignoringSigterm(String name, Duration grace) {
        Path ready = dir.resolve(name + ".ready");
        return ServiceSpec.builder(name, "process").setting("command", "sh -c 'trap \"\" TERM; touch \"$0\"; exec"
                + " sleep 120' " + ready).setting("stopGrace", grace.toMillis() + "ms").healthCheck(HealthCheckSpec
                        .of("command", Map.of("command", "test -f " + ready)).withTiming(Duration.ZERO, Duration
                                .ofMillis(20), 500))
                .build();
    }

    @Test
    void rollback_stopsIndependentServicesInParallel_soThreeThatIgnoreSigtermTakeOneGracePeriod() {
        Duration grace = Duration.ofSeconds(3);
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db")))
                .serviceLogs(dir.resolve("logs")).adoptOrphanedRuns(false).build()) {
            RunHandle run = engine.orchestrator().deploy(DeployProcessesTest.CTX, DeploymentSpec.of("stubborn", "dev",
                    List.of(ignoringSigterm("a", grace), ignoringSigterm("b", grace), ignoringSigterm("c", grace))));
            assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
            List<ProcessHandle> processes = pids(run);
            assertThat(processes).hasSize(3).allMatch(ProcessHandle::isAlive);

            long began = System.nanoTime();
            RunState end = engine.orchestrator().rollback(DeployProcessesTest.CTX, run.runId()).await(WAIT);
            Duration took = Duration.ofNanos(System.nanoTime() - began);

            assertThat(end).isEqualTo(RunState.ROLLED_BACK);
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            System.out.println("rollback of 3 services that ignore SIGTERM, stopGrace " + grace + ": " + took);
            assertThat(took).as("one grace period (then SIGKILL), not three in a row").isGreaterThanOrEqualTo(grace)
                    .isLessThan(grace.multipliedBy(5).dividedBy(2));
        }
    }

    @Test
    void rollback_ofAProcessThatExitsOnSigterm_doesNotWaitTheGracePeriod() {
        Duration grace = Duration.ofSeconds(30);
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db")))
                .serviceLogs(dir.resolve("logs")).adoptOrphanedRuns(false).build()) {
            List<ServiceSpec> services = new ArrayList<>();
            for (String name : List.of("a", "b", "c")) {
                services.add(ServiceSpec.builder(name, "process").setting("command", "sleep 120").setting(
                        "stopGrace", "30s").build());
            }
            RunHandle run = engine.orchestrator().deploy(DeployProcessesTest.CTX, DeploymentSpec.of("polite", "dev",
                    services));
            assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
            List<ProcessHandle> processes = pids(run);

            long began = System.nanoTime();
            RunState end = engine.orchestrator().rollback(DeployProcessesTest.CTX, run.runId()).await(WAIT);
            Duration took = Duration.ofNanos(System.nanoTime() - began);

            assertThat(end).isEqualTo(RunState.ROLLED_BACK);
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            System.out.println("rollback of 3 services that exit on SIGTERM, stopGrace " + grace + ": " + took);
            assertThat(took).as("stop waits for the exit, not the grace period").isLessThan(grace.dividedBy(6));
        }
    }

    @Test
    void undo_ofAProcessThatAnotherProcessMustReap_endsWhenItExits_notAfterTheGracePeriod() throws Exception {
        // what a rollback from another process meets: the service is not this JVM's child, and its parent (here a
        // process that never reaps; after a crash, an init that is slow to) leaves it a zombie once it exits
        Path pidFile = dir.resolve("child.pid");
        Process parent = new ProcessBuilder("sh", "-c", "sleep 120 & echo $! > " + pidFile + "; exec sleep 120")
                .start();
        try {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while ((!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            ProcessHandle child = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();
            StepRecord record = new StepRecord("run-1", "svc", StepState.HEALTHY, 1, null, null, Map.of("pid", Long
                    .toString(child.pid()), "started",
                    Long.toString(child.info().startInstant().orElseThrow()
                            .toEpochMilli()),
                    "stopGrace", "PT30S"), null);

            long began = System.nanoTime();
            new ProcessExecutor().undo(record, new InstanceContext("run-1", "svc", 0, "blue", Clock.systemUTC(),
                    outputs -> {
                    }, message -> {
                    }, dir));
            Duration took = Duration.ofNanos(System.nanoTime() - began);

            System.out.println("undo of a process another process must reap, stopGrace 30s: " + took);
            assertThat(took).as("it exits on SIGTERM at once; the grace is 30s").isLessThan(Duration.ofSeconds(5));
        } finally {
            parent.descendants().forEach(ProcessHandle::destroyForcibly);
            parent.destroyForcibly();
        }
    }

    @Test
    void serviceLogs_goUnderTheEnginesLogFolder_readableByTheOwnerOnly() throws Exception {
        Path logs = dir.resolve("home/logs");
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db"))).serviceLogs(
                logs).adoptOrphanedRuns(false).build()) {
            RunHandle run = engine.orchestrator().deploy(DeployProcessesTest.CTX, one(ServiceSpec.builder("web",
                    "process").setting("command", "sh -c 'echo hello from web; exec sleep 120'").build()));
            assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);

            Path log = logs.resolve(run.runId()).resolve("web-0.log");
            assertThat(run.steps().getFirst().outputs()).containsEntry("0.log", log.toString());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!Files.readString(log).contains("hello from web") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(log).content().contains("hello from web");
            assertThat(engine.orchestrator().rollback(DeployProcessesTest.CTX, run.runId()).await(WAIT)).isEqualTo(
                    RunState.ROLLED_BACK);
            for (Path owned : List.of(dir.resolve("home"), logs, logs.resolve(run.runId()))) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(owned))).as(owned.toString())
                        .isEqualTo("rwx------");
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-------");
        }
    }

    private static List<ProcessHandle> pids(RunHandle run) {
        return run.steps().stream().map(StepRecord::outputs).map(o -> ProcessHandle.of(Long.parseLong(o.get(
                "0.pid"))).orElseThrow()).toList();
    }
}
