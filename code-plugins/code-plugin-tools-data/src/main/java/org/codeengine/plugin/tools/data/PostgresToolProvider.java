package org.codeengine.plugin.tools.data;

import java.util.List;
import java.util.Optional;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.support.CatalogueTools;
import org.codeengine.plugin.support.ToolKit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code postgres} tool provider: {@code postgres_query} runs one caller's SQL in a read-only transaction with a
 * statement timeout and a row cap, its parameters bound (never spliced into the text); {@code postgres_schema} lists
 * tables and their columns.
 *
 * <p>Settings ({@code tools.postgres}): {@code url} ({@code jdbc:postgresql://host:port/db}, required), {@code user},
 * {@code password} (a secret reference: {@code env:NAME} or {@code vault:name}), {@code max-rows} (1000),
 * {@code statement-timeout-ms} (5000), {@code allow-privileged-role} (false: a superuser, or a role that may run
 * programs or touch the server's files, is refused, because {@code COPY ... TO PROGRAM} runs even in a read-only
 * transaction).
 */
public final class PostgresToolProvider extends CatalogueTools {
    private final @Nullable PgTools tools;

    /** The provider as ServiceLoader makes it: unavailable until configured with a connection. */
    public PostgresToolProvider() {
        this(null);
    }

    private PostgresToolProvider(@Nullable PgTools tools) {
        super("postgres");
        this.tools = tools;
    }

    @Override
    public ToolProvider configured(ToolSettings settings) {
        return new PostgresToolProvider(PgTools.of(settings));
    }

    @Override
    public Optional<String> unavailable() {
        return tools == null
                ? Optional.of("no connection configured: set tools.postgres.url to jdbc:postgresql://host:port/db")
                : tools.unavailable();
    }

    @Override
    public List<ToolDescriptor> tools() {
        ToolKit.Schema query = ToolKit.schema().string("sql", "The SQL to run, read-only; $1-style parameters as ?",
                true);
        query.property("params", "array", "Values bound to the ? parameters in order (strings, numbers, booleans,"
                + " null)", false).putObject("items").putArray("type").add("string").add("number").add("boolean")
                .add("null");
        query.integer("max_rows", "Rows to return at most (capped by the setting max-rows)", 1, 100_000);
        ObjectNode rows = ToolKit.schema().flag("truncated", "Whether more rows were left out").integer("row_count",
                "Rows returned", 0, Integer.MAX_VALUE).build();
        rows.withObject("properties").putObject("columns").put("type", "array").putObject("items").put("type",
                "object");
        rows.withObject("properties").putObject("rows").put("type", "array").putObject("items").put("type",
                "object");
        rows.putArray("required").add("columns").add("rows").add("row_count").add("truncated");
        ObjectNode schema = ToolKit.schema().string("schema", "Only this schema (default: all but the system's)",
                false).string("table", "Only this table", false).build();
        ObjectNode tables = ToolKit.schema().build();
        tables.withObject("properties").putObject("tables").put("type", "array").putObject("items").put("type",
                "object");
        tables.putArray("required").add("tables");
        return List.of(new ToolDescriptor("postgres_query", "Runs a read-only SQL query on PostgreSQL in a read-only"
                + " transaction with a statement timeout and a row cap; parameters are bound, never spliced.",
                query
                        .build(),
                rows, ToolAnnotations.readOnly(false)),
                new ToolDescriptor("postgres_schema",
                        "Lists PostgreSQL tables and their columns (name, type, nullable).", schema, tables,
                        ToolAnnotations.readOnly(false)));
    }

    @Override
    protected boolean configuredYet() {
        return tools != null;
    }

    @Override
    protected ToolResult run(String tool, JsonNode arguments, ToolContext context) {
        PgTools configured = java.util.Objects.requireNonNull(tools);
        return ToolKit.success(tool.equals("postgres_query")
                ? configured.query(arguments)
                : configured.schema(
                        arguments));
    }
}
