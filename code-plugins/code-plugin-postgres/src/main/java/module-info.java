/** Runs CODE's JDBC store on PostgreSQL. */
module org.codeengine.plugin.postgres {
    requires org.codeengine.api;
    requires org.postgresql.jdbc;

    provides org.codeengine.api.spi.StoreProvider with org.codeengine.plugin.postgres.PostgresStoreProvider;
}
