/** Runs CODE's JDBC store on embedded H2, the default store (the name ends in a letter, as module names should). */
module org.codeengine.plugin.h2store {
    requires org.codeengine.api;
    requires com.h2database;

    provides org.codeengine.api.spi.StoreProvider with org.codeengine.plugin.h2.H2StoreProvider;
}
