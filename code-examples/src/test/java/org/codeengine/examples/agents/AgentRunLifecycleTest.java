package org.codeengine.examples.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.codeengine.examples.agents.Wire.call;
import static org.codeengine.examples.agents.Wire.scenario;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.StoreException;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.AgentRun;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.agents.Budget;
import org.codeengine.api.agents.Gate;
import org.codeengine.api.agents.StopReason;
import org.codeengine.api.agents.ToolOutcome;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * What becomes of a run around its loop: its lease while one tool call takes longer than the lease, a cancel while a
 * call runs, a resume of a run that has ended, and its audit entries, which ride in its journal's transactions.
 */
class AgentRunLifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final CallContext CTX = new CallContext(new Principal("rita", Principal.Kind.SERVICE, Set.of(
            "admin")), null, "lifecycle");
    private static final AgentSpec SPEC = new AgentSpec("waiter", "", "You wait.", new Brain.Model("openai",
            "test-model"), List.of("wait", "look"), Budget.DEFAULT, Gate.NONE);
    @TempDir
    Path dir;
    private final ScenarioServer server = new ScenarioServer();
    private final Waiting tool = new Waiting();

    @AfterEach
    void stop() {
        tool.release.countDown();
        server.close();
    }

    private CodeEngine engine(StoreConfig store, Duration lease) {
        return CodeEngine.builder().store(store).unsignedAudit().toolProvider(tool).agentLease(lease).agentProvider(
                "openai", new ProviderConfig(server.base(), null, Duration.ofSeconds(10), Map.of())).build();
    }

    @Test
    void aToolCallLongerThanTheLease_keepsTheRun_becauseTheLeaseIsRenewedWhileItRuns() throws Exception {
        String db = "lease" + UUID.randomUUID().toString().replace("-", "");
        server.play(scenario(Wire.OPENAI.calls(10, 5, call("call_1", "wait", "{}")), Wire.OPENAI.answer("Done.", 20,
                3)));
        try (CodeEngine engine = engine(StoreConfig.h2InMemory(db), Duration.ofSeconds(1));
                Connection store = DriverManager.getConnection("jdbc:h2:mem:" + db)) {
            AgentRun run = engine.agents().run(CTX, SPEC, "Wait.");
            assertThat(tool.entered.await(30, TimeUnit.SECONDS)).isTrue();
            Instant entered = Instant.now();
            // three leases long: without renewals while the call runs, the lease would have run out after one
            Instant deadline = entered.plusSeconds(30);
            Instant until = leaseUntil(store, run.runId());
            while (until.isBefore(entered.plusSeconds(3)) && Instant.now().isBefore(deadline)) {
                Thread.sleep(50); // polls the store until the deadline
                until = leaseUntil(store, run.runId());
            }
            assertThat(until).as("the lease, three leases after the call began").isAfterOrEqualTo(entered.plusSeconds(
                    3));
            tool.release.countDown();
            AgentResult result = run.await(WAIT);
            assertThat(result.stopReason()).as(result.detail()).isEqualTo(StopReason.ANSWERED);
            assertThat(leaseOwner(store, run.runId())).as("an ended run gives its lease up").isNull();
        }
    }

    @Test
    void cancel_ofARunWhileItsToolRuns_stopsIt_andAResumeSaysItWasCancelled() throws Exception {
        String db = "cancel" + UUID.randomUUID().toString().replace("-", "");
        server.play(scenario(Wire.OPENAI.calls(10, 5, call("call_1", "wait", "{}")), Wire.OPENAI.answer("Done.", 20,
                3)));
        try (CodeEngine engine = engine(StoreConfig.h2InMemory(db), Duration.ofMinutes(10))) {
            AgentRun run = engine.agents().run(CTX, SPEC, "Wait.");
            assertThat(tool.entered.await(30, TimeUnit.SECONDS)).isTrue();

            engine.agents().cancel(CTX, run.runId());
            AgentResult result = run.await(WAIT);

            assertThat(result.stopReason()).as(result.detail()).isEqualTo(StopReason.CANCELLED);
            assertThat(tool.interrupted.get()).as("the running call was interrupted").isEqualTo(1);
            assertThat(server.requests()).as("the model was not asked again").hasSize(1);
            AgentResult again = engine.agents().resume(CTX, run.runId()).await(WAIT);
            assertThat(again.stopReason()).isEqualTo(StopReason.CANCELLED);
            assertThat(again.transcript()).isEqualTo(result.transcript());
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void resume_ofAnEndedRun_returnsItsResult_fromTheJournal_withoutAskingTheModelOrCallingTheTool() {
        Path h2 = dir.resolve("code-db");
        server.play(scenario(Wire.OPENAI.calls(10, 5, call("call_1", "look", "{}"), call("call_2", "look", "{}")),
                Wire.OPENAI.answer("Seen twice.", 20, 3)));
        AgentResult first;
        try (CodeEngine engine = engine(StoreConfig.h2File(h2), Duration.ofMinutes(10))) {
            first = engine.agents().run(CTX, SPEC, "Look twice.").await(WAIT);
        }
        assertThat(first.stopReason()).as(first.detail()).isEqualTo(StopReason.ANSWERED);
        assertThat(first.transcript().turns().getFirst().outcomes()).extracting(ToolOutcome::result)
                .containsExactlyInAnyOrder("look 1", "look 2");

        try (CodeEngine engine = engine(StoreConfig.h2File(h2), Duration.ofMinutes(10))) {
            AgentResult resumed = engine.agents().resume(CTX, first.runId()).await(WAIT);

            assertThat(resumed.stopReason()).isEqualTo(StopReason.ANSWERED);
            assertThat(resumed.answer()).isEqualTo("Seen twice.");
            assertThat(resumed.transcript()).isEqualTo(first.transcript());
        }
        assertThat(server.requests()).as("the model was asked only by the first run").hasSize(2);
        assertThat(tool.looks.get()).as("look ran only in the first run").isEqualTo(2);
    }

    @Test
    void aRunsAuditEntries_areCommittedWithItsJournal_withoutCommitsOfTheirOwn_andTheLogVerifies() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        server.play(scenario(Wire.OPENAI.calls(10, 5, call("call_1", "look", "{}"), call("call_2", "nothere", "{}")),
                Wire.OPENAI.answer("Seen once.", 20, 3)));
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db")))
                .unsignedAudit().meterRegistry(meters).toolProvider(tool).agentProvider("openai", new ProviderConfig(
                        server.base(), null, Duration.ofSeconds(10), Map.of()))
                .build()) {
            long entriesBefore = engine.security().audit(1, 10_000).size();
            double commitsBefore = auditCommits(meters);

            AgentResult result = engine.agents().run(CTX, SPEC, "Look once.").await(WAIT);

            assertThat(result.stopReason()).as(result.detail()).isEqualTo(StopReason.ANSWERED);
            List<AuditEntry> entries = engine.security().audit(1, 10_000);
            assertThat(entries.subList((int) entriesBefore, entries.size())).extracting(AuditEntry::action,
                    AuditEntry::target, AuditEntry::outcome).containsExactly(
                            tuple("agent:run:waiter", result.runId(), Outcome.SUCCESS),
                            tuple("tool:call:nothere", "nothere", Outcome.DENIED),
                            tuple("tool:call:look", "look", Outcome.SUCCESS));
            assertThat(auditCommits(meters)).as("commits of the audit log's own during the run").isEqualTo(
                    commitsBefore);
            assertThat(engine.security().verifyAudit().intact()).isTrue();
        }
    }

    @Test
    void aRunWhoseRowCannotBeWritten_fails_andNothingOfItIsJournaledOrRun_thoughItsFirstTurnIsAskedMeanwhile()
            throws Exception {
        String db = "norow" + UUID.randomUUID().toString().replace("-", "");
        server.play(scenario(Wire.OPENAI.calls(10, 5, call("call_1", "look", "{}")), Wire.OPENAI.answer("Done.", 20,
                3)));
        try (CodeEngine engine = engine(StoreConfig.h2InMemory(db), Duration.ofMinutes(10));
                Connection store = DriverManager.getConnection("jdbc:h2:mem:" + db)) {
            store.createStatement().execute("alter table code_agent_run add constraint no_waiters check (agent <>"
                    + " 'waiter')");

            assertThatThrownBy(() -> engine.agents().run(CTX, SPEC, "Look.")).isInstanceOf(StoreException.class)
                    .hasMessageContaining("creating agent run");

            Instant deadline = Instant.now().plusSeconds(5);
            while (Instant.now().isBefore(deadline) && tool.looks.get() == 0) {
                Thread.sleep(20); // a loop that went on would call the tool within this
            }
            assertThat(tool.looks.get()).as("the tool never ran").isZero();
            assertThat(server.requests().size()).as("the first turn at most").isLessThanOrEqualTo(1);
            try (ResultSet rows = store.createStatement().executeQuery("select (select count(*) from"
                    + " code_agent_turn) + (select count(*) from code_agent_call)")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getLong(1)).as("journal rows").isZero();
            }
        }
    }

    private static double auditCommits(SimpleMeterRegistry meters) {
        return meters.find("code.audit.commits").timers().stream().mapToDouble(Timer::count).sum();
    }

    private static Instant leaseUntil(Connection store, String runId) throws SQLException {
        try (PreparedStatement s = store.prepareStatement("select lease_until from code_agent_run where run_id = ?")) {
            s.setString(1, runId);
            try (ResultSet row = s.executeQuery()) {
                assertThat(row.next()).isTrue();
                OffsetDateTime until = row.getObject(1, OffsetDateTime.class);
                assertThat(until).as("the run's lease").isNotNull();
                return until.toInstant();
            }
        }
    }

    private static String leaseOwner(Connection store, String runId) throws SQLException {
        try (PreparedStatement s = store.prepareStatement("select lease_owner from code_agent_run where run_id = ?")) {
            s.setString(1, runId);
            try (ResultSet row = s.executeQuery()) {
                assertThat(row.next()).isTrue();
                return row.getString(1);
            }
        }
    }

    /** {@code wait} (not idempotent) waits until released or interrupted; {@code look} (read-only) counts. */
    static final class Waiting implements ToolProvider {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger interrupted = new AtomicInteger();
        final AtomicInteger looks = new AtomicInteger();

        @Override
        public String name() {
            return "waiting";
        }

        @Override
        public String apiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public List<ToolDescriptor> tools() {
            JsonNode schema = Wire.JSON.readTree("{\"type\": \"object\"}");
            return List.of(new ToolDescriptor("wait", "Waits.", schema, null, new ToolAnnotations(false, false, false,
                    false)), new ToolDescriptor("look", "Looks.", schema, null, ToolAnnotations.readOnly(false)));
        }

        @Override
        public ToolResult call(String name, JsonNode arguments, ToolContext context) {
            if (name.equals("look")) {
                return new ToolResult("look " + looks.incrementAndGet(), null, false);
            }
            entered.countDown();
            try {
                release.await();
                return new ToolResult("waited", null, false);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                return new ToolResult("interrupted", null, true);
            }
        }
    }
}
