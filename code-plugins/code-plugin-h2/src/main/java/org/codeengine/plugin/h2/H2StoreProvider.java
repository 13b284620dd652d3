package org.codeengine.plugin.h2;

import java.sql.Driver;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.StoreProvider;

/**
 * Lets CODE's store run on embedded H2 ({@code jdbc:h2:} URLs), in a file or in memory: the engine's default store,
 * {@code StoreConfig.defaultFile()}, is an H2 file.
 */
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
