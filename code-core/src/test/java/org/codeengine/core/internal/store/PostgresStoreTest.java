package org.codeengine.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.plugin.postgres.PostgresStoreProvider;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real PostgreSQL: {@code CODE_TEST_PG_URL}, by default the local server at 127.0.0.1:5432
 * (database {@code test}, user {@code postgres}). Each test gets a schema of its own, dropped afterwards. The tests
 * skip when no server answers, except in CI ({@code CI=true}), where they fail.
 */
class PostgresStoreTest extends StoreContract {
    private static final String URL = System.getenv().getOrDefault("CODE_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = System.getenv().getOrDefault("CODE_TEST_PG_USER", "postgres");

    private final List<String> schemas = new ArrayList<>();

    @BeforeAll
    static void requireServer() {
        try (Connection c = DriverManager.getConnection(URL, USER, null)) {
            c.isValid(5);
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("PostgreSQL at " + URL + " is required in CI but cannot be reached: " + e.getMessage());
            }
            Assumptions.abort("PostgreSQL at " + URL + " cannot be reached: " + e.getMessage());
        }
    }

    @Override
    protected String outboxSeqCache(Connection connection) throws Exception {
        return onlyValue(connection, "select seqcache from pg_sequence where seqrelid"
                + " = pg_get_serial_sequence('code_outbox', 'seq')::regclass");
    }

    @Override
    protected StoreConfig freshConfig() {
        String schema = "code_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        schemas.add(schema);
        return StoreConfig.jdbc(URL).withCredentials(USER, null).withSchema(schema);
    }

    @Override
    protected StoreProvider provider() {
        return new PostgresStoreProvider();
    }

    @Override
    protected boolean tableExists(Connection connection, StoreConfig config, String table) throws Exception {
        return tableInSchema(connection, config.schema(), table);
    }

    @AfterEach
    void dropSchemas() throws SQLException {
        closeStores();
        try (Connection c = DriverManager.getConnection(URL, USER, null); Statement s = c.createStatement()) {
            for (String schema : schemas) {
                s.execute("drop schema if exists \"" + schema + "\" cascade");
            }
        }
    }

    /** {@return how many other sessions wait for a lock that {@code holder} holds} */
    private static int waitingFor(Connection holder) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, null);
                PreparedStatement s = c.prepareStatement(
                        "select count(*) from pg_stat_activity where ? = any(pg_blocking_pids(pid))")) {
            int pid;
            try (Statement q = holder.createStatement(); ResultSet rows = q.executeQuery("select pg_backend_pid()")) {
                rows.next();
                pid = rows.getInt(1);
            }
            s.setInt(1, pid);
            try (ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    @Test
    void stepWrites_areRunAgain_whenPostgresAbortsThemToBreakADeadlock() throws Exception {
        StoreConfig config = freshConfig();
        RunRepository runs = open(config).runs();
        Instant now = clock.instant();
        for (String id : List.of("a", "b")) {
            runs.create(new RunRecord(id, "shop", "dev", RunState.RUNNING, "{}", now, now, "me", now.plusSeconds(60)),
                    List.of(new StepRecord(id, "web", StepState.PENDING, 0, null, null, Map.of(), null)));
        }
        List<StepRecord> healthy = List.of(new StepRecord("a", "web", StepState.HEALTHY, 1, now, now, Map.of(), null),
                new StepRecord("b", "web", StepState.HEALTHY, 1, now, now, Map.of(), null));
        String table = "\"" + config.schema() + "\".code_run";
        try (Connection other = DriverManager.getConnection(URL, USER, null);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            other.setAutoCommit(false);
            try (Statement s = other.createStatement()) {
                s.executeQuery("select 1 from " + table + " where run_id = 'b' for update").close();
            }
            Future<boolean[]> written = threads.submit(() -> runs.updateSteps(healthy, "me")); // locks a, waits on b
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (waitingFor(other) == 0) {
                assertThat(System.nanoTime()).as("the step writes to wait for run b").isLessThan(deadline);
                Thread.sleep(10);
            }
            try (Statement s = other.createStatement()) {
                // wants a, which the step writes hold: a circle. PostgreSQL breaks it by aborting the session that
                // waited longer, the step writes, after deadlock_timeout; they must start again, not fail.
                s.executeUpdate("update " + table + " set updated_at = updated_at where run_id = 'a'");
            } catch (SQLException e) {
                assertThat(e.getSQLState()).as("this session was the one aborted instead").isEqualTo("40P01");
            }
            other.commit();
            assertThat(written.get(60, TimeUnit.SECONDS)).containsExactly(true, true);
        }
        assertThat(runs.steps("a").getFirst().state()).isEqualTo(StepState.HEALTHY);
        assertThat(runs.steps("b").getFirst().state()).isEqualTo(StepState.HEALTHY);
    }

    @Test
    void migrationV11_keepsAnEventThatAHostOfTheOldVersionCommitsWhileItRuns() throws Exception {
        StoreConfig config = freshConfig();
        Flyway.configure(JdbcStore.class.getClassLoader()).dataSource(URL, USER, null).schemas(config.schema())
                .locations(JdbcStore.MIGRATIONS).table(SchemaHistory.TABLE).target("10").load().migrate();
        try (Connection old = DriverManager.getConnection(URL, USER, null);
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            old.setSchema(config.schema());
            old.setAutoCommit(false);
            try (Statement s = old.createStatement()) { // a host still on V10 writes an event, not yet committed
                s.executeUpdate("insert into code_outbox (event_id, type, subject, at, body) values ('late', 'a',"
                        + " 'run', now(), '{}')");
            }
            Future<JdbcStore> upgraded = threads.submit(() -> open(config));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (waitingFor(old) == 0) {
                assertThat(System.nanoTime()).as("the migration to wait for the old host's write").isLessThan(
                        deadline);
                Thread.sleep(10);
            }
            old.commit();
            JdbcStore store = upgraded.get(60, TimeUnit.SECONDS);
            assertThat(store.schemaVersion()).isEqualTo("14");
            assertThat(store.outbox().unsent(10)).extracting(Outbox.Row::id).as("committed before the migration did")
                    .containsExactly("late");
        }
    }
}
