package org.codeengine.api.spi;

import java.sql.Driver;

/**
 * A plugin that lets CODE's JDBC store run on one kind of database: it brings the JDBC driver and, on the same path,
 * the Flyway support for that database. The engine owns the pool, the migrations and the SQL.
 */
public interface StoreProvider extends Plugin {
    /**
     * {@return whether this provider's database is the one the URL names}
     *
     * @param jdbcUrl a JDBC URL, such as {@code jdbc:postgresql://127.0.0.1:5432/code}
     */
    boolean accepts(String jdbcUrl);

    /** {@return the JDBC driver for URLs this provider accepts} */
    Driver driver();
}
