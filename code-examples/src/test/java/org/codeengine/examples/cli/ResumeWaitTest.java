package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code code resume} of a run that a process on another host holds: refused with a hint to wait, and with
 * {@code --wait} taken over once the lease expires.
 */
class ResumeWaitTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "t");

    @TempDir
    Path home;
    long pid;

    @AfterEach
    void killLeftovers() {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** Leaves a run unfinished in the home's store, held by a process elsewhere for {@code lease} more. */
    String runHeldElsewhere(Duration lease) throws Exception {
        StoreConfig store = StoreConfig.h2File(home.resolve("code-db"));
        String runId;
        try (CodeEngine engine = CodeEngine.builder().store(store).adoptOrphanedRuns(false).build()) {
            RunHandle run = engine.orchestrator().deploy(CTX, DeploymentSpec.of("held", "dev", List.of(ServiceSpec
                    .builder("web", "process").setting("command", "sleep 120").healthCheck(HealthCheckSpec.of(
                            "command", Map.of("command", "true")).withTiming(Duration.ofSeconds(2),
                                    Duration
                                            .ofMillis(100),
                                    3))
                    .build())));
            runId = run.runId();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (run.steps().getFirst().outputs().get("0.pid") == null) {
                assertThat(System.nanoTime()).as("web to start").isLessThan(deadline);
                Thread.sleep(20);
            }
            pid = Long.parseLong(run.steps().getFirst().outputs().get("0.pid"));
        } // closing leaves the run unfinished, its service running
        holdElsewhere(runId, lease);
        return runId;
    }

    /** Gives the run's lease to a process on another host, for {@code lease} from now. */
    void holdElsewhere(String runId, Duration lease) throws Exception {
        try (Connection c = DriverManager.getConnection(StoreConfig.h2File(home.resolve("code-db")).jdbcUrl());
                PreparedStatement s = c.prepareStatement(
                        "update code_run set lease_owner = ?, lease_until = ? where run_id = ?")) {
            s.setString(1, "4242@elsewhere.example/1/feedbeef");
            s.setObject(2, OffsetDateTime.now(ZoneOffset.UTC).plus(lease));
            s.setString(3, runId);
            assertThat(s.executeUpdate()).isOne();
        }
    }

    @Test
    void resume_ofARunHeldElsewhere_failsWithTheHintToWait_andWithWait_takesItOverOnceTheLeaseExpires()
            throws Exception {
        String runId = runHeldElsewhere(Duration.ofMinutes(10));
        Cli cli = new Cli(home);

        Cli.Result refused = cli.run("resume", runId);
        assertThat(refused.exit()).as(refused.all()).isEqualTo(CodeApp.FAILURE);
        assertThat(refused.err()).contains("is held by 4242@elsewhere.example").contains("--wait");

        holdElsewhere(runId, Duration.ofSeconds(3)); // the lease now ends soon
        Cli.Result waited = cli.run("resume", runId, "--wait", "--timeout", "60s");
        assertThat(waited.exit()).as(waited.all()).isZero();
        assertThat(waited.out()).contains("waiting for its lease");
        assertThat(cli.run("status", runId).out()).contains("SUCCEEDED");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the service it started, kept").contains(
                true);

        assertThat(cli.run("rollback", runId).exit()).isZero();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
    }
}
