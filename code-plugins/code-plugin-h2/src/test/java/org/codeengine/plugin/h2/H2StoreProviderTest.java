package org.codeengine.plugin.h2;

import org.codeengine.api.spi.StoreProvider;
import org.codeengine.plugin.testkit.StoreProviderContract;

/** The embedded default store's dialect passes the kit every store provider passes, on an H2 database in memory. */
class H2StoreProviderTest extends StoreProviderContract {
    @Override
    protected StoreProvider provider() {
        return new H2StoreProvider();
    }

    @Override
    protected String jdbcUrl() {
        return "jdbc:h2:mem:store-provider-contract";
    }
}
