package org.codeengine.api;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * Where CODE keeps its durable state (runs, steps, audit entries, expert statistics, leases): any database a
 * {@link org.codeengine.api.spi.StoreProvider} accepts. Embedded H2, the default, comes with {@code code-plugin-h2};
 * PostgreSQL with {@code code-plugin-postgres}.
 *
 * @param jdbcUrl the JDBC URL; not blank; printed with any password in it redacted
 * @param username the database user, or {@code null} when the URL or the database needs none
 * @param password the database password, or {@code null}; never printed
 * @param schema the schema CODE's tables live in, created when missing, or {@code null} for the default one
 * @param maxPoolSize the most connections kept open; 1 to 100
 */
public record StoreConfig(String jdbcUrl, @Nullable String username, @Nullable Secret password,
        @Nullable String schema, int maxPoolSize) {
    private static final Pattern PASSWORD_IN_URL = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if the URL is not a JDBC URL, the schema name is invalid or the pool size is out of range
     */
    public StoreConfig {
        Checks.notBlank(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("jdbcUrl must start with 'jdbc:' but was '" + redact(jdbcUrl) + "'");
        }
        if (schema != null && !SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema must match " + SCHEMA.pattern() + " but was '" + schema + "'");
        }
        Checks.between(maxPoolSize, 1, 100, "maxPoolSize");
    }

    /**
     * {@return a configuration for it with no user, no password, the default schema and 10 connections}
     *
     * @param jdbcUrl any JDBC URL a store provider accepts
     */
    public static StoreConfig jdbc(String jdbcUrl) {
        return new StoreConfig(jdbcUrl, null, null, null, 10);
    }

    /**
     * {@return an embedded H2 database in that file}
     *
     * @param file the database file without its {@code .mv.db} suffix; its folder is created when missing
     */
    public static StoreConfig h2File(Path file) {
        Checks.notNull(file, "file");
        return jdbc("jdbc:h2:file:" + file.toAbsolutePath());
    }

    /** {@return the embedded default: H2 in {@code code-db} in {@link CodeHome#current() CODE's home folder}} */
    public static StoreConfig defaultFile() {
        return h2File(CodeHome.current().resolve("code-db"));
    }

    /**
     * {@return an H2 database in memory, gone when the engine closes; for tests and demos}
     *
     * @param name a name for the database, unique within the JVM
     */
    public static StoreConfig h2InMemory(String name) {
        Checks.name(name, "name");
        return jdbc("jdbc:h2:mem:" + name);
    }

    /**
     * {@return this configuration with those credentials}
     *
     * @param username the user
     * @param password the password, or {@code null}
     */
    public StoreConfig withCredentials(String username, @Nullable Secret password) {
        return new StoreConfig(jdbcUrl, Checks.notBlank(username, "username"), password, schema, maxPoolSize);
    }

    /**
     * {@return this configuration with that schema}
     *
     * @param schemaName the schema for CODE's tables
     */
    public StoreConfig withSchema(String schemaName) {
        return new StoreConfig(jdbcUrl, username, password, schemaName, maxPoolSize);
    }

    /** {@return the schema, if one was set} */
    public Optional<String> schemaName() {
        return Optional.ofNullable(schema);
    }

    /** {@return the URL with any {@code password=} value replaced by {@code ***}, safe to print} */
    public String redactedUrl() {
        return redact(jdbcUrl);
    }

    private static String redact(String url) {
        return PASSWORD_IN_URL.matcher(url).replaceAll("$1***");
    }

    @Override
    public String toString() {
        return "StoreConfig[jdbcUrl=" + redactedUrl() + ", username=" + username + ", password="
                + (password == null ? "none" : "[redacted]") + ", schema=" + schema + ", maxPoolSize=" + maxPoolSize
                + "]";
    }
}
