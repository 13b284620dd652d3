package org.codeengine.core.internal.store;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.plugin.postgres.PostgresStoreProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

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
}
