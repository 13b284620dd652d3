package org.codeengine.core.internal.orchestrator;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.codeengine.api.StoreConfig;
import org.junit.jupiter.api.Assumptions;

/**
 * The local PostgreSQL for orchestrator tests: {@code CODE_TEST_PG_URL} or 127.0.0.1:5432/test, a schema per test.
 * Tests skip when no server answers, except in CI ({@code CI=true}), where they fail.
 */
public final class Pg implements AutoCloseable {
    static final String URL = System.getenv().getOrDefault("CODE_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getenv().getOrDefault("CODE_TEST_PG_USER", "postgres");

    private final List<String> schemas = new ArrayList<>();

    public static void requireServer() {
        try (Connection c = DriverManager.getConnection(URL, USER, null)) {
            c.isValid(5);
        } catch (SQLException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("PostgreSQL at " + URL + " is required in CI but cannot be reached: " + e.getMessage());
            }
            Assumptions.abort("PostgreSQL at " + URL + " cannot be reached: " + e.getMessage());
        }
    }

    public String newSchema() {
        String schema = "code_o_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        schemas.add(schema);
        return schema;
    }

    public static StoreConfig config(String schema) {
        return StoreConfig.jdbc(URL).withCredentials(USER, null).withSchema(schema);
    }

    static List<String> args(String schema) {
        return List.of("--jdbc", URL, "--user", USER, "--schema", schema);
    }

    /** {@return the lease owner of a run, read straight from the database} */
    static String leaseOwner(String schema, String runId) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, null);
                var s = c.prepareStatement(
                        "select lease_owner from \"" + schema + "\".code_run where run_id = ?")) {
            s.setString(1, runId);
            try (var rows = s.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, null); Statement s = c.createStatement()) {
            for (String schema : schemas) {
                s.execute("drop schema if exists \"" + schema + "\" cascade");
            }
        }
    }
}
