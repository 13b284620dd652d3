package org.codeengine.benchmarks;

import java.nio.file.Files;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.codeengine.api.StoreConfig;
import org.codeengine.core.internal.store.JdbcStore;
import org.codeengine.plugin.h2.H2StoreProvider;
import org.codeengine.plugin.postgres.PostgresStoreProvider;
import org.jspecify.annotations.Nullable;

/**
 * A fresh store for a benchmark: an H2 file in a new temporary folder, or a new schema on the PostgreSQL at
 * {@code CODE_BENCH_PG_URL} (default 127.0.0.1:5432/test), dropped again on close.
 *
 * @param jdbc the open store
 * @param schema the PostgreSQL schema made for it, or null on H2
 */
public record BenchStores(JdbcStore jdbc, @Nullable String schema) {
    public static final String PG = System.getenv().getOrDefault("CODE_BENCH_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");

    /**
     * @param store {@code h2} or {@code postgres}
     * @param prefix names the temporary folder
     */
    public static BenchStores open(String store, String prefix) throws Exception {
        return switch (store) {
            case "h2" -> new BenchStores(JdbcStore.open(StoreConfig.h2File(Files.createTempDirectory(prefix).resolve(
                    "code-db")), new H2StoreProvider(), Clock.systemUTC(), null, List.of(JdbcStore.MIGRATIONS)), null);
            case "postgres" -> {
                String schema = "code_bench_" + UUID.randomUUID().toString().substring(0, 8);
                yield new BenchStores(JdbcStore.open(StoreConfig.jdbc(PG).withCredentials("postgres", null).withSchema(
                        schema), new PostgresStoreProvider(), Clock.systemUTC(), null, List.of(JdbcStore.MIGRATIONS)),
                        schema);
            }
            default -> throw new IllegalArgumentException("store must be h2 or postgres: " + store);
        };
    }

    /** Closes the store and drops its PostgreSQL schema. */
    public void close() throws java.sql.SQLException {
        jdbc.close();
        dropSchema(schema);
    }

    /** Drops a schema made for a benchmark on the PostgreSQL at {@link #PG}; does nothing for null. */
    public static void dropSchema(@Nullable String schema) throws java.sql.SQLException {
        if (schema != null) {
            try (var c = DriverManager.getConnection(PG, "postgres", null); var s = c.createStatement()) {
                s.execute("drop schema if exists " + schema + " cascade");
            }
        }
    }
}
