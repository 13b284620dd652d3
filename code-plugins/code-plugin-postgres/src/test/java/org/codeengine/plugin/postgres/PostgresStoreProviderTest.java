package org.codeengine.plugin.postgres;

import java.util.Properties;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.plugin.testkit.StoreProviderContract;

/** The PostgreSQL dialect passes the kit every store provider passes, against the PostgreSQL on 127.0.0.1. */
class PostgresStoreProviderTest extends StoreProviderContract {
    @Override
    protected StoreProvider provider() {
        return new PostgresStoreProvider();
    }

    @Override
    protected String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:5432/test";
    }

    @Override
    protected Properties connectionProperties() {
        Properties properties = new Properties();
        properties.setProperty("user", "postgres");
        properties.setProperty("connectTimeout", "5");
        return properties;
    }
}
