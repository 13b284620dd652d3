package org.codeengine.plugin.tools.data;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.ToolKit;
import org.jspecify.annotations.Nullable;
import org.postgresql.core.Parser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The postgres tools' work. Every call borrows a pooled connection that is read-only for its session, opens a
 * read-only transaction, sets a local statement timeout, takes the snapshot (after which the transaction cannot become
 * read-write), runs the one statement with its parameters bound, and rolls back: a write, a function that writes, a
 * DO block that writes, all fail in PostgreSQL itself. Only one statement is sent, as the driver splits the text: with
 * two, a COMMIT would end the read-only transaction and the next statement would run outside it. Because a
 * superuser's {@code COPY ... TO PROGRAM} runs even in a read-only transaction, the connection's role is checked
 * first and a privileged one is refused.
 */
final class PgTools {
    static final String WHERE = "tools.postgres";
    private static final String PRIVILEGES = "select r.rolsuper, pg_has_role(current_user,"
            + " 'pg_execute_server_program', 'MEMBER'), pg_has_role(current_user, 'pg_write_server_files', 'MEMBER'),"
            + " pg_has_role(current_user, 'pg_read_server_files', 'MEMBER') from pg_roles r where r.rolname ="
            + " current_user";
    private static final String COLUMNS = "select table_schema, table_name, column_name, data_type, is_nullable"
            + " from information_schema.columns where table_schema not in ('pg_catalog', 'information_schema')"
            + " and (?::text is null or table_schema = ?::text) and (?::text is null or table_name = ?::text)"
            + " order by table_schema, table_name, ordinal_position";

    private final String url;
    private final @Nullable String user;
    private final @Nullable SecretRef password;
    private final ToolSettings.SecretResolver secrets;
    private final int maxRows;
    private final int timeoutMillis;
    private final boolean allowPrivileged;
    private final Object lock = new Object();
    private @Nullable HikariDataSource pool;

    private PgTools(String url, @Nullable String user, @Nullable SecretRef password,
            ToolSettings.SecretResolver secrets, int maxRows, int timeoutMillis, boolean allowPrivileged) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.secrets = secrets;
        this.maxRows = maxRows;
        this.timeoutMillis = timeoutMillis;
        this.allowPrivileged = allowPrivileged;
    }

    static PgTools of(ToolSettings settings) {
        JsonNode s = settings.settings();
        String url = ToolKit.settingText(s, WHERE, "url");
        if (url == null || !url.startsWith("jdbc:postgresql:")) {
            throw new ConfigurationException("setting " + WHERE + ".url must be a PostgreSQL JDBC URL"
                    + " (jdbc:postgresql://host:port/db) but was " + (url == null ? "missing" : "'" + url + "'"),
                    null);
        }
        return new PgTools(url, ToolKit.settingText(s, WHERE, "user"), secretRef(s, WHERE, "password"), settings
                .secrets(), (int) ToolKit.setting(s, WHERE, "max-rows", 1000, 1, 100_000),
                (int) ToolKit.setting(s,
                        WHERE, "statement-timeout-ms", 5000, 1, 600_000),
                s.path("allow-privileged-role")
                        .asBoolean(false));
    }

    /**
     * {@return the reference a secret setting holds, or null when it is absent}
     *
     * @throws ConfigurationException naming the setting if it holds anything but a secret reference
     */
    static @Nullable SecretRef secretRef(JsonNode settings, String where, String name) {
        String text = ToolKit.settingText(settings, where, name);
        if (text == null) {
            return null;
        }
        try {
            return SecretRef.parse(text);
        } catch (IllegalArgumentException e) {
            // the value is never repeated: it may be the secret itself
            throw new ConfigurationException("setting " + where + "." + name + " must be a secret reference"
                    + " (env:NAME or vault:name), never the secret itself", null);
        }
    }

    Optional<String> unavailable() {
        try (Connection c = pool().getConnection()) {
            return c.isValid(3) ? Optional.empty() : Optional.of("PostgreSQL at " + url + " does not answer");
        } catch (SQLException e) {
            return Optional.of("PostgreSQL at " + url + " is not reachable: " + e.getMessage());
        } catch (ToolKit.ToolFailure e) {
            return Optional.of(e.getMessage());
        }
    }

    ObjectNode query(JsonNode args) {
        String sql = ToolKit.text(args, "sql");
        int limit = (int) Math.min(maxRows, ToolKit.number(args, "max_rows", maxRows, 1, 100_000));
        JsonNode params = args.path("params");
        if (!params.isMissingNode() && !params.isNull() && !params.isArray()) {
            throw ToolKit.fail("argument 'params' must be an array of strings, numbers, booleans or nulls");
        }
        int statements;
        try {
            statements = Parser.parseJdbcSql(sql, true, true, true, false, false).size();
        } catch (SQLException e) {
            throw ToolKit.fail("argument 'sql' cannot be read: " + e.getMessage());
        }
        if (statements > 1) {
            // The driver would send them one by one; a COMMIT among them ends the read-only transaction and the rest
            // runs outside it (the session's own default can be switched by one of them), so only one is sent.
            throw ToolKit.fail("argument 'sql' must hold one statement but holds " + statements + ": a second one"
                    + " could end the read-only transaction and run outside it");
        }
        return readOnly(sql, params.isArray() ? (ArrayNode) params : JsonBodies.JSON.createArrayNode(), limit);
    }

    ObjectNode schema(JsonNode args) {
        String schema = ToolKit.optionalText(args, "schema");
        String table = ToolKit.optionalText(args, "table");
        ArrayNode params = JsonBodies.JSON.createArrayNode();
        params.add(schema).add(schema).add(table).add(table);
        ObjectNode columns = readOnly(COLUMNS, params, 100_000);
        ObjectNode out = JsonBodies.object();
        ArrayNode tables = out.putArray("tables");
        ObjectNode current = null;
        for (JsonNode row : columns.path("rows")) {
            String schemaName = row.path("table_schema").asString();
            String tableName = row.path("table_name").asString();
            if (current == null || !current.path("schema").asString().equals(schemaName) || !current.path("name")
                    .asString().equals(tableName)) {
                current = tables.addObject().put("schema", schemaName).put("name", tableName);
                current.putArray("columns");
            }
            ((ArrayNode) current.path("columns")).addObject().put("name", row.path("column_name").asString()).put(
                    "type", row.path("data_type").asString()).put("nullable",
                            row.path("is_nullable").asString()
                                    .equals("YES"));
        }
        return out;
    }

    /**
     * Runs the statement on a virtual thread while the caller waits, so that a cancelled (interrupted) call cancels
     * the statement in PostgreSQL and returns at once.
     */
    private ObjectNode readOnly(String sql, ArrayNode params, int limit) {
        AtomicReference<@Nullable Statement> running = new AtomicReference<>();
        CompletableFuture<ObjectNode> result = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("postgres-tool").start(() -> {
            try {
                result.complete(run(sql, params, limit, running));
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            Statement statement = running.get();
            if (statement != null) {
                try {
                    statement.cancel();
                } catch (SQLException ignored) {
                    // the statement ended on its own
                }
            }
            worker.interrupt();
            Thread.currentThread().interrupt();
            throw ToolKit.fail("the query was cancelled");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ToolKit.ToolFailure failure) {
                throw failure;
            }
            if (e.getCause() instanceof SQLException sqlError) {
                throw ToolKit.fail("argument 'sql' failed in PostgreSQL: " + sqlError.getMessage().strip()
                        + (sqlError.getSQLState() == null ? "" : " (SQLSTATE " + sqlError.getSQLState() + ")"));
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private ObjectNode run(String sql, ArrayNode params, int limit, AtomicReference<@Nullable Statement> running)
            throws SQLException {
        try (Connection c = pool().getConnection()) {
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("SET TRANSACTION READ ONLY");
                    s.execute("SET LOCAL statement_timeout = " + timeoutMillis);
                    // A query takes the transaction's snapshot: from here on nothing can make it read-write again.
                    s.executeQuery("SELECT 1").close();
                }
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    running.set(ps);
                    for (int i = 0; i < params.size(); i++) {
                        bind(ps, i + 1, params.get(i));
                    }
                    ps.setMaxRows(limit + 1);
                    ps.setQueryTimeout(timeoutMillis / 1000 + 2);
                    return rows(ps, limit);
                }
            } finally {
                running.set(null);
                c.rollback();
            }
        }
    }

    private static void bind(PreparedStatement ps, int index, JsonNode value) throws SQLException {
        if (value.isNull()) {
            ps.setNull(index, Types.OTHER);
        } else if (value.isString()) {
            ps.setString(index, value.asString());
        } else if (value.isIntegralNumber() && value.canConvertToLong()) {
            ps.setLong(index, value.asLong());
        } else if (value.isNumber()) {
            ps.setBigDecimal(index, value.decimalValue());
        } else if (value.isBoolean()) {
            ps.setBoolean(index, value.asBoolean());
        } else {
            throw ToolKit.fail("argument 'params' item " + (index - 1) + " must be a string, number, boolean or"
                    + " null");
        }
    }

    private static ObjectNode rows(PreparedStatement ps, int limit) throws SQLException {
        ObjectNode out = JsonBodies.object();
        ArrayNode columns = out.putArray("columns");
        ArrayNode rows = out.putArray("rows");
        boolean truncated = false;
        if (ps.execute()) {
            try (ResultSet rs = ps.getResultSet()) {
                ResultSetMetaData meta = rs.getMetaData();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    columns.addObject().put("name", meta.getColumnLabel(i)).put("type", meta.getColumnTypeName(i));
                }
                while (rs.next()) {
                    if (rows.size() == limit) {
                        truncated = true;
                        break;
                    }
                    ObjectNode row = rows.addObject();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        put(row, meta.getColumnLabel(i), rs.getObject(i));
                    }
                }
            }
        }
        return out.put("row_count", rows.size()).put("truncated", truncated);
    }

    private static void put(ObjectNode row, String name, @Nullable Object value) {
        switch (value) {
            case null -> row.putNull(name);
            case Boolean b -> row.put(name, b);
            case Integer i -> row.put(name, i);
            case Long l -> row.put(name, l);
            case Short s -> row.put(name, s);
            case java.math.BigDecimal d -> row.put(name, d);
            case Double d -> row.put(name, d);
            case Float f -> row.put(name, f);
            case byte[] bytes -> row.put(name, "\\x" + HexFormat.of().formatHex(bytes));
            default -> row.put(name, value.toString());
        }
    }

    private HikariDataSource pool() {
        synchronized (lock) {
            if (pool != null) {
                return pool;
            }
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            if (user != null) {
                config.setUsername(user);
            }
            if (password != null) {
                config.setPassword(secrets.resolve(password).reveal());
            }
            config.setPoolName("code-tools-postgres");
            config.setMaximumPoolSize(4);
            config.setMinimumIdle(0);
            config.setConnectionTimeout(5000);
            config.setInitializationFailTimeout(-1);
            config.setReadOnly(true);
            config.setAutoCommit(false);
            // Every transaction of the session is read-only unless it says otherwise; the tool's own says so again.
            config.setConnectionInitSql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
            config.addDataSourceProperty("stringtype", "unspecified");
            config.addDataSourceProperty("ApplicationName", "code-tools");
            HikariDataSource created = new HikariDataSource(config);
            try (Connection c = created.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s
                            .executeQuery(PRIVILEGES)) {
                if (rs.next() && !allowPrivileged && (rs.getBoolean(1) || rs.getBoolean(2) || rs.getBoolean(3) || rs
                        .getBoolean(4))) {
                    created.close();
                    throw ToolKit.fail("the PostgreSQL role '" + (user == null ? "(default)" : user) + "' is a"
                            + " superuser or may run programs or touch the server's files, which COPY ... TO PROGRAM"
                            + " does even in a read-only transaction; connect as a role without those rights (or set"
                            + " " + WHERE + ".allow-privileged-role: true)");
                }
                c.rollback();
            } catch (SQLException e) {
                created.close();
                throw ToolKit.fail("PostgreSQL at " + url + " is not reachable: " + e.getMessage());
            }
            pool = created;
            return created;
        }
    }
}
