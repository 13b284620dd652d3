package org.codeengine.core.internal.store;

import java.sql.Driver;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.StoreProvider;

/** The embedded default store: H2 in a file or in memory. */
public final class H2StoreProvider implements StoreProvider {
    /** Creates the provider; ServiceLoader calls this. */
    public H2StoreProvider() {}

    @Override
    public String name() {
        return "h2";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public boolean accepts(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:h2:");
    }

    @Override
    public Driver driver() {
        return new org.h2.Driver();
    }
}
