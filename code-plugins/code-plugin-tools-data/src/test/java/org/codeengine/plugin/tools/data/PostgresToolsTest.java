package org.codeengine.plugin.tools.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.support.JsonBodies;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * postgres_query and postgres_schema through the engine on the local PostgreSQL. The tool connects as a role that may
 * write the test table, so that what refuses each attack is PostgreSQL's read-only transaction, not the role and not
 * a parser in the tool.
 */
class PostgresToolsTest {
    static final String URL = System.getenv().getOrDefault("CODE_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    static final String ADMIN = System.getenv().getOrDefault("CODE_TEST_PG_USER", "postgres");
    private static final String ROLE = "code_tools_reader";
    private static final CallContext CALLER = new CallContext(new Principal("ann", Principal.Kind.USER, Set.of(
            "analyst")), null, "t-pg");
    private static final Path PROBE = Path.of(System.getProperty("java.io.tmpdir"), "code-tools-copy-" + UUID
            .randomUUID());
    private static String schema;
    private static CodeEngine engine;

    @BeforeAll
    static void createSchemaAndEngine() throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, ADMIN, null); Statement s = c.createStatement()) {
            schema = "code_tools_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            s.execute("do $$ begin if not exists (select from pg_roles where rolname = '" + ROLE + "') then"
                    + " create role " + ROLE + " login; end if; end $$");
            s.execute("create schema " + schema);
            s.execute("create table " + schema + ".harbour (id int primary key, name text not null)");
            s.execute("insert into " + schema + ".harbour values (1, 'Tide'), (2, 'Reef'), (3, 'Quay'), (4, 'Pier'),"
                    + " (5, 'Dock')");
            s.execute("create function " + schema + ".bump() returns int language sql as 'insert into " + schema
                    + ".harbour values (100, ''bumped'') returning id'");
            s.execute("grant usage on schema " + schema + " to " + ROLE);
            s.execute("grant select, insert, update, delete, truncate on " + schema + ".harbour to " + ROLE);
            s.execute("grant execute on function " + schema + ".bump() to " + ROLE);
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("PostgreSQL at " + URL + " is required in CI but cannot be reached: " + e.getMessage());
            }
            Assumptions.abort("PostgreSQL at " + URL + " cannot be reached: " + e.getMessage());
        }
        engine = engine(JsonBodies.object().put("url", URL).put("user", ROLE).put("password", "vault:pg-reader").put(
                "max-rows", 3).put("statement-timeout-ms", 500));
    }

    private static CodeEngine engine(ObjectNode settings) {
        CodeEngine built = CodeEngine.builder().store(StoreConfig.h2InMemory("pg" + UUID.randomUUID().toString()
                .replace("-", "")))
                .vaultMasterKey(Secret.of(java.util.Base64.getEncoder().encodeToString(new byte[32])))
                .toolSettings("postgres", settings).build();
        built.security().defineRole("analyst", Set.of(Permission.parse("tool:call:*")), Set.of());
        built.security().vault().put("pg-reader", Secret.of("not-needed-with-trust"));
        return built;
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        if (engine != null) {
            engine.close();
        }
        try (Connection c = DriverManager.getConnection(URL, ADMIN, null); Statement s = c.createStatement()) {
            s.execute("drop schema if exists " + schema + " cascade");
        }
    }

    private static ToolResult query(CodeEngine on, String sql, Object... params) {
        ObjectNode args = JsonBodies.object().put("sql", sql);
        var list = args.putArray("params");
        for (Object p : params) {
            if (p instanceof Integer i) {
                list.add(i);
            } else {
                list.add((String) p);
            }
        }
        return on.tools().call(CALLER, "postgres_query", args);
    }

    static List<Object[]> attacks() {
        return List.of(new Object[]{"insert into %s.harbour values (99, 'x')", "read-only transaction"},
                new Object[]{"select %s.bump()", "read-only transaction"},
                new Object[]{"with gone as (delete from %s.harbour returning id) select * from gone",
                        "read-only transaction"},
                new Object[]{"truncate %s.harbour", "read-only transaction"},
                new Object[]{"create table %s.more (id int)", "read-only transaction"},
                new Object[]{"do $$ begin set transaction read write; delete from %s.harbour; end $$",
                        "read-write mode must be set before any query"},
                new Object[]{"do $$ begin perform set_config('transaction_read_only', 'off', true); delete from"
                        + " %s.harbour; end $$", "read-write mode must be set before any query"},
                new Object[]{"set transaction read write -- %s", "read-write mode must be set before any query"},
                new Object[]{"select 1; delete from %s.harbour", "must hold one statement but holds 2"},
                new Object[]{"commit; set session characteristics as transaction read write; delete from %s"
                        + ".harbour", "must hold one statement but holds 3"},
                new Object[]{"copy (select 1) to program 'touch " + PROBE + "' -- %s", "COPY"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void write_isRefusedByPostgreSQL_andNothingChanges(String sql, String rule) throws SQLException {
        ToolResult result = query(engine, sql.formatted(schema));
        assertThat(result.error()).as(result.text()).isTrue();
        assertThat(result.text()).contains("argument 'sql'", rule);
        try (Connection c = DriverManager.getConnection(URL, ADMIN, null);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*), sum(id) from " + schema + ".harbour")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(5);
            assertThat(rs.getInt(2)).isEqualTo(15);
        }
        assertThat(PROBE).doesNotExist();
        assertThat(query(engine, "show transaction_read_only").structured().path("rows").path(0).path(
                "transaction_read_only").asString()).as("the pooled session is read-only still").isEqualTo("on");
    }

    @Test
    void parameters_areBound_rowsCapped_andTheStatementTimesOut() {
        ToolResult bound = query(engine, "select id, name from " + schema + ".harbour where id = ? or name = ?", 2,
                "x' or '1'='1");
        assertThat(bound.error()).as(bound.text()).isFalse();
        assertThat(bound.structured().path("rows").toString()).isEqualTo("[{\"id\":2,\"name\":\"Reef\"}]");
        assertThat(bound.structured().path("columns").path(1).path("type").asString()).isEqualTo("text");

        ToolResult capped = query(engine, "select id from " + schema + ".harbour order by id");
        assertThat(capped.structured().path("row_count").asInt()).isEqualTo(3);
        assertThat(capped.structured().path("truncated").asBoolean()).isTrue();

        ToolResult slow = query(engine, "select pg_sleep(5)");
        assertThat(slow.error()).isTrue();
        assertThat(slow.text()).contains("statement timeout");
    }

    @Test
    void aCancelledCall_cancelsItsStatementInPostgreSQL() throws Exception {
        try (CodeEngine patient = engine(JsonBodies.object().put("url", URL).put("user", ROLE).put(
                "statement-timeout-ms", 60_000))) {
            ToolResult[] result = new ToolResult[1];
            Thread caller = Thread.ofPlatform().start(() -> result[0] = query(patient,
                    "select pg_sleep(30) -- cancel me"));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (sleepers() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the poll's interval
            }
            assertThat(sleepers()).as("the statement runs").isEqualTo(1);
            caller.interrupt();
            caller.join(5_000);
            assertThat(caller.isAlive()).isFalse();
            assertThat(result[0].text()).contains("the query was cancelled");
            deadline = System.nanoTime() + 5_000_000_000L;
            while (sleepers() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the poll's interval
            }
            assertThat(sleepers()).as("PostgreSQL stopped it").isZero();
        }
    }

    private static int sleepers() throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, ADMIN, null);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("select count(*) from pg_stat_activity where state = 'active' and"
                        + " query like '%cancel me%' and query not like '%pg_stat_activity%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void schema_listsTheTablesColumns() {
        ToolResult result = engine.tools().call(CALLER, "postgres_schema", JsonBodies.object().put("schema",
                schema));
        assertThat(result.error()).as(result.text()).isFalse();
        JsonNode table = result.structured().path("tables").path(0);
        assertThat(table.path("name").asString()).isEqualTo("harbour");
        assertThat(table.path("columns").toString()).isEqualTo("[{\"name\":\"id\",\"type\":\"integer\","
                + "\"nullable\":false},{\"name\":\"name\",\"type\":\"text\",\"nullable\":false}]");
    }

    @Test
    void aSuperuserConnection_isRefused_becauseCopyToProgramRunsInReadOnlyTransactions() {
        try (CodeEngine privileged = engine(JsonBodies.object().put("url", URL).put("user", ADMIN))) {
            ToolResult result = query(privileged, "select 1");
            assertThat(result.error()).isTrue();
            assertThat(result.text()).contains("superuser", "COPY ... TO PROGRAM", "allow-privileged-role");
        }
    }

    @Test
    void settings_areCheckedAtBuild_andAPasswordMustBeAReference() {
        assertThatThrownBy(() -> engine(JsonBodies.object().put("url", URL).put("password", "hunter2")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining(
                        "tools.postgres.password must be a secret reference")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> engine(JsonBodies.object().put("url", "jdbc:mysql://x/y"))).hasMessageContaining(
                "tools.postgres.url must be a PostgreSQL JDBC URL");
        assertThat(new PostgresToolProvider().unavailable()).hasValueSatisfying(why -> assertThat(why).contains(
                "no connection configured"));
    }
}
