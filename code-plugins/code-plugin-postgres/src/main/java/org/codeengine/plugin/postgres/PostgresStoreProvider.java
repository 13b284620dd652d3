package org.codeengine.plugin.postgres;

import java.sql.Driver;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.StoreProvider;

/** Lets CODE's store run on PostgreSQL ({@code jdbc:postgresql:} URLs). */
public final class PostgresStoreProvider implements StoreProvider {
    /** Creates the provider; ServiceLoader calls this. */
    public PostgresStoreProvider() {}

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public boolean accepts(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:postgresql:");
    }

    @Override
    public Driver driver() {
        return new org.postgresql.Driver();
    }
}
