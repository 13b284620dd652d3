package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentEvent;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL refuses every connection to the store's database for 45 s in the middle of a deployment (connections
 * disallowed, those open terminated), on a database of this test's own: the run rides it out and succeeds, and the
 * services it had started are the ones that run at the end.
 */
class PostgresOutageTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "t");
    static final Duration OUTAGE = Duration.ofSeconds(45);
    static final String ADMIN_URL = Pg.URL.substring(0, Pg.URL.lastIndexOf('/') + 1) + "postgres";

    @TempDir
    Path dir;
    final String database = "code_outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final MarkedSleeps sleeps = new MarkedSleeps();
    CodeEngine engine;

    @BeforeAll
    static void requireServer() {
        Pg.requireServer();
    }

    @BeforeEach
    void createDatabase() throws SQLException {
        admin("create database " + database);
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        try {
            admin("alter database " + database + " allow_connections true");
            if (engine != null) {
                engine.close();
            }
        } finally {
            sleeps.killAll();
            admin("drop database if exists " + database + " with (force)");
        }
    }

    static void admin(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(ADMIN_URL, Pg.USER, null); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** Refuses new connections to the database and ends those open. */
    void cutOff() throws SQLException {
        admin("alter database " + database + " allow_connections false");
        admin("select pg_terminate_backend(pid) from pg_stat_activity where datname = '" + database + "'");
    }

    @Test
    void aDeployment_ridesOutAStoreOutageOf45Seconds_andSucceeds_keepingWhatItStarted() throws Exception {
        engine = CodeEngine.builder().store(StoreConfig.jdbc(Pg.URL.substring(0, Pg.URL.lastIndexOf('/') + 1)
                + database).withCredentials(Pg.USER, null)).storeOutageBound(Duration.ofMinutes(2)).build();
        Path ready = dir.resolve("b-ready");
        DeploymentSpec spec = DeploymentSpec.of("outage", "dev", List.of(sleeps.service("a").build(), sleeps.service(
                "b").dependsOn("a").healthCheck(HealthCheckSpec.of("command", Map.of("command", "test -f " + ready))
                        .withTiming(Duration.ZERO, Duration.ofMillis(100), 1200))
                .timeout(Duration.ofMinutes(3))
                .build(), sleeps.service("c").dependsOn("b").build()));
        RunHandle run = engine.orchestrator().deploy(CTX, spec);
        AtomicBoolean bChecking = new AtomicBoolean();
        run.onEvent(e -> {
            if (e instanceof DeploymentEvent.StepStateChanged s && s.service().equals("b") && s
                    .state() == StepState.CHECKING_HEALTH) {
                bChecking.set(true);
            }
        });
        TinyServices.await("b to check its health", Duration.ofSeconds(60), bChecking::get);
        List<Long> before = sleeps.alive().stream().map(ProcessHandle::pid).toList();
        assertThat(before).as("a and b run").hasSize(2);

        cutOff();
        Files.createFile(ready); // b turns healthy: its write, and every one after, meets the outage
        long end = System.nanoTime() + OUTAGE.toNanos();
        while (System.nanoTime() < end) { // the outage lasts; the run neither ends nor stops what it started
            assertThat(run.state()).as("the run's state during the outage").isEqualTo(RunState.RUNNING);
            assertThat(before).as("what ran before the outage; the steps: %s", run.steps())
                    .allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
            Thread.sleep(250); // the outage is held for its length; this only paces the checks
        }
        admin("alter database " + database + " allow_connections true");

        assertThat(run.await(Duration.ofSeconds(90))).isEqualTo(RunState.SUCCEEDED);
        assertThat(engine.orchestrator().inspect(CTX, run.runId()).state()).isEqualTo(RunState.SUCCEEDED);
        assertThat(sleeps.alive()).hasSize(3).map(ProcessHandle::pid).containsAll(before);
    }
}
