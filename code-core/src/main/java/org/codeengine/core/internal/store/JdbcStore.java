package org.codeengine.core.internal.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.codeengine.api.CodeException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.StoreException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.core.internal.executors.OwnerOnly;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationVersion;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * CODE's durable state over JDBC: a HikariCP pool, Flyway migrations, and the repositories. Opening migrates the
 * schema to this version of CODE, all or nothing, and refuses a schema written by a newer CODE.
 */
public final class JdbcStore implements AutoCloseable {
    /** Where CODE's own migrations live; not a Java package, so they are readable on the module path too. */
    public static final String MIGRATIONS = "classpath:META-INF/code/migration";

    private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private final HikariDataSource pool;
    private final String provider;
    private final String redactedUrl;
    private final String schemaVersion;
    private final RunRepository runs;
    private final AuditLog audit;
    private final SecurityRepository security;
    private final ExpertStatsRepository expertStats;
    private final LeaseRepository leases;
    private final Outbox outbox;
    private final AgentRunRepository agentRuns;

    private JdbcStore(HikariDataSource pool, String provider, String redactedUrl, String schemaVersion, Clock clock,
            boolean postgres) {
        this.pool = pool;
        this.provider = provider;
        this.redactedUrl = redactedUrl;
        this.schemaVersion = schemaVersion;
        Sql sql = new Sql(pool, postgres);
        this.runs = new RunRepository(sql, JsonMapper.builder().build());
        this.audit = new AuditLog(sql, clock);
        this.security = new SecurityRepository(sql);
        this.expertStats = new ExpertStatsRepository(sql);
        this.leases = new LeaseRepository(sql);
        this.outbox = new Outbox(sql);
        this.agentRuns = new AgentRunRepository(sql, audit);
    }

    /**
     * Opens the store and migrates it.
     *
     * @param locations Flyway locations of the migrations; {@link #MIGRATIONS} in production
     * @throws UnavailableException if the database cannot be reached
     * @throws StoreException if a migration fails (the schema is left as it was) or the schema is newer than CODE
     */
    public static JdbcStore open(StoreConfig config, StoreProvider provider, Clock clock,
            @Nullable MeterRegistry registry, List<String> locations) {
        return open(config, provider, clock, registry, locations, false);
    }

    /**
     * Opens the store, and migrates it unless {@code migrateOnlyWhenBehind} and it is already at this CODE's schema.
     *
     * @param locations Flyway locations of the migrations; {@link #MIGRATIONS} in production
     * @param migrateOnlyWhenBehind whether to skip the migrator (its scan and validation of every migration) when the
     *        schema history shows every migration applied and none beyond them: for a process that only reads
     * @throws UnavailableException if the database cannot be reached
     * @throws StoreException if a migration fails (the schema is left as it was) or the schema is newer than CODE
     */
    public static JdbcStore open(StoreConfig config, StoreProvider provider, Clock clock,
            @Nullable MeterRegistry registry, List<String> locations, boolean migrateOnlyWhenBehind) {
        String url = config.redactedUrl();
        prepareH2File(config.jdbcUrl());
        DataSource direct = new DriverDataSource(provider.driver(),
                cachingQueries(smallPages(durable(config.jdbcUrl()))), config
                        .username(),
                config.password());
        boolean createdSchema = createSchemaIfMissing(direct, config.schema(), url);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(poolConfig(config, direct, registry));
        } catch (RuntimeException e) {
            dropSchemaIfCreated(direct, config.schema(), createdSchema);
            throw new UnavailableException("cannot open the store at " + url + ": " + rootMessage(e), null, e);
        }
        try {
            String version = migrateOnlyWhenBehind
                    ? SchemaHistory.currentVersion(pool, locations).orElseGet(() -> migrate(pool, config, provider,
                            url, locations))
                    : migrate(pool, config, provider, url, locations);
            restrictH2Files(config.jdbcUrl());
            LOG.info("Store {} ({}) at schema version {}", url, provider.name(), version);
            JdbcStore store = new JdbcStore(pool, provider.name(), url, version, clock, config.jdbcUrl().startsWith(
                    "jdbc:postgresql:"));
            if (registry != null) {
                store.audit.meters(registry);
            }
            return store;
        } catch (RuntimeException e) {
            pool.close();
            dropSchemaIfCreated(direct, config.schema(), createdSchema);
            throw e;
        }
    }

    /**
     * H2 delays writing commits to its file by half a second by default, so a process killed right after a commit
     * loses it. The orchestrator's journal must survive a SIGKILL: commits go to the file (the OS) at once.
     */
    static String durable(String jdbcUrl) {
        return isH2File(jdbcUrl) ? withSetting(jdbcUrl, "WRITE_DELAY", 0) : jdbcUrl;
    }

    /** {@return whether the URL names an embedded H2 database in a file} */
    private static boolean isH2File(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:h2:file:") || (jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith(
                "jdbc:h2:mem:") && !jdbcUrl.startsWith("jdbc:h2:tcp:") && !jdbcUrl.startsWith("jdbc:h2:ssl:"));
    }

    /** {@return the URL with the H2 setting appended, unless the URL sets it already} */
    private static String withSetting(String jdbcUrl, String name, int value) {
        return jdbcUrl.toUpperCase(Locale.ROOT).contains(";" + name + "=")
                ? jdbcUrl
                : jdbcUrl + ";" + name + "=" + value;
    }

    /** The memory, as H2 estimates it in bytes, at which an embedded file database splits a B-tree page. */
    static final int H2_PAGE_SPLIT = 4096;

    /**
     * H2 splits a B-tree page once it holds about 16 KB by default (by its estimate of the page's memory, a few times
     * the bytes the page takes in the file), and each commit writes every page it changed, whole, with the path to its
     * root, into a new chunk of the file. A journal or audit commit changes a few rows at the right end of a few
     * tables, so the size of their pages, not of the rows, sets how much it serializes and writes; pages split at
     * {@value #H2_PAGE_SPLIT} make an agent run write about half as many bytes. The setting only decides splits: it is
     * not kept in the file, and pages written before split the new way when they next change. Not where the URL
     * sets {@code PAGE_SIZE} itself.
     */
    static String smallPages(String jdbcUrl) {
        return isH2File(jdbcUrl) ? withSetting(jdbcUrl, "PAGE_SIZE", H2_PAGE_SPLIT) : jdbcUrl;
    }

    /** Statements each H2 session keeps parsed; H2's default, 8, is fewer than a run's journal and audit use. */
    static final int H2_QUERY_CACHE = 64;

    /**
     * H2 keeps the last 8 statements a session parsed; the store's connections serve every repository, so an agent
     * turn's dozen statements would be parsed anew on each use. Sessions of an embedded database keep
     * {@value #H2_QUERY_CACHE}, unless the URL says otherwise (a server's database has its own settings).
     */
    static String cachingQueries(String jdbcUrl) {
        boolean embedded = jdbcUrl.startsWith("jdbc:h2:") && !jdbcUrl.startsWith("jdbc:h2:tcp:") && !jdbcUrl
                .startsWith("jdbc:h2:ssl:");
        return embedded ? withSetting(jdbcUrl, "QUERY_CACHE_SIZE", H2_QUERY_CACHE) : jdbcUrl;
    }

    private static HikariConfig poolConfig(StoreConfig config, DataSource direct, @Nullable MeterRegistry registry) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("code-store");
        hikari.setDataSource(direct);
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(10_000);
        hikari.setInitializationFailTimeout(1);
        hikari.setAutoCommit(true);
        if (config.schema() != null) {
            hikari.setSchema(config.schema());
        }
        if (registry != null) {
            hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
        }
        return hikari;
    }

    private static String migrate(HikariDataSource pool, StoreConfig config, StoreProvider provider, String url,
            List<String> locations) {
        var flyway = Flyway.configure(JdbcStore.class.getClassLoader()).dataSource(pool)
                .locations(locations.toArray(String[]::new)).table(SchemaHistory.TABLE).cleanDisabled(true)
                .failOnMissingLocations(true).validateMigrationNaming(true).createSchemas(false)
                // All pending migrations in one transaction where the database has transactional DDL.
                .group(!isH2(config.jdbcUrl())).placeholders(placeholders(config.jdbcUrl()));
        if (config.schema() != null) {
            flyway.schemas(config.schema());
        }
        Flyway migrator = flyway.load();
        MigrationInfoService info;
        try {
            info = migrator.info();
        } catch (FlywayException e) {
            throw new StoreException("the migrations for the store at " + url + " cannot be read: " + rootMessage(e),
                    e);
        }
        MigrationVersion known = Arrays.stream(info.all()).filter(i -> i.getState().isResolved())
                .map(MigrationInfo::getVersion).filter(Objects::nonNull).max(MigrationVersion::compareTo)
                .orElse(MigrationVersion.EMPTY);
        MigrationInfo current = info.current();
        if (current != null && current.getVersion() != null && current.getVersion().compareTo(known) > 0) {
            throw new StoreException("the store at " + url + " has schema version " + current.getVersion()
                    + ", written by a newer CODE; this CODE knows versions up to " + known
                    + ". Upgrade CODE, or point it at another database.", null);
        }
        int pending = info.pending().length;
        Path backup = pending > 0 && isH2(config.jdbcUrl()) ? backupH2(pool, url) : null;
        try {
            migrator.migrate();
        } catch (FlywayException e) {
            String before = current == null ? "empty" : "at version " + current.getVersion();
            if (backup != null) {
                restoreH2(pool, backup, url);
            }
            throw new StoreException("migrating the store at " + url + " failed, and it was left " + before + ": "
                    + rootMessage(e), e);
        } finally {
            deleteQuietly(backup);
        }
        MigrationInfo now = migrator.info().current();
        return now == null ? "0" : now.getVersion().getVersion();
    }

    /** H2 commits each DDL statement, so a failed migration is undone from a script of the database before it. */
    private static Path backupH2(DataSource pool, String url) {
        try {
            Path file = Files.createTempFile("code-store-backup", ".sql");
            execute(pool, "script drop to '" + file.toAbsolutePath().toString().replace("'", "''") + "'", url);
            return file;
        } catch (IOException e) {
            throw new StoreException("cannot back up the store at " + url + " before migrating it: " + e, e);
        }
    }

    private static void restoreH2(DataSource pool, Path backup, String url) {
        execute(pool, "drop all objects", url);
        execute(pool, "runscript from '" + backup.toAbsolutePath().toString().replace("'", "''") + "'", url);
    }

    private static void execute(DataSource pool, String statement, String url) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw Sql.map("running '" + statement.split(" ")[0] + "' on the store at " + url, e);
        }
    }

    private static boolean createSchemaIfMissing(DataSource direct, @Nullable String schema, String url) {
        if (schema == null) {
            return false;
        }
        try (Connection c = direct.getConnection()) {
            try (ResultSet rows = c.getMetaData().getSchemas(null, schema)) {
                if (rows.next()) {
                    return false;
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("create schema \"" + schema + "\"");
            }
            return true;
        } catch (SQLException e) {
            CodeException mapped = Sql.map("creating schema " + schema + " in the store at " + url, e);
            throw mapped instanceof UnavailableException
                    ? mapped
                    : new UnavailableException(mapped.getMessage(), null, e);
        }
    }

    private static void dropSchemaIfCreated(DataSource direct, @Nullable String schema, boolean created) {
        if (!created || schema == null) {
            return;
        }
        try (Connection c = direct.getConnection(); Statement s = c.createStatement()) {
            s.execute("drop schema \"" + schema + "\" cascade");
        } catch (SQLException e) {
            LOG.warn("Could not drop schema {} after a failed open: {}", schema, e.getMessage());
        }
    }

    /** How many seqs of the outbox H2 hands out between writing its counter down; V13 says why, and why not here. */
    static final int H2_OUTBOX_SEQ_CACHE = 1000;

    /** {@return the values of the placeholders in the migrations for the database at the URL} */
    static Map<String, String> placeholders(String jdbcUrl) {
        return Map.of("outbox_seq_cache", isH2(jdbcUrl) ? Integer.toString(H2_OUTBOX_SEQ_CACHE) : "1");
    }

    private static boolean isH2(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:h2:");
    }

    /**
     * The store holds password hashes and the vault: its folder, when made here, and its file are for their owner only
     * ({@code rwx------}, {@code rw-------}), whatever the umask.
     */
    private static void prepareH2File(String jdbcUrl) {
        Path file = h2File(jdbcUrl);
        if (file != null) {
            try {
                OwnerOnly.file(file.resolveSibling(file.getFileName() + ".mv.db"));
            } catch (IOException e) {
                throw new StoreException("cannot create the store " + file + ".mv.db: " + e, e);
            }
        }
    }

    /** Narrows the rights of the store's files that H2 made or an earlier version left wider than the owner's. */
    private static void restrictH2Files(String jdbcUrl) {
        Path file = h2File(jdbcUrl);
        if (file == null || !file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        String prefix = file.getFileName() + ".";
        try (Stream<Path> siblings = Files.list(file.getParent())) {
            for (Path p : siblings.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName()
                    .toString().endsWith(".db")).toList()) {
                if (!Files.getPosixFilePermissions(p).equals(OWNER_FILE)) {
                    Files.setPosixFilePermissions(p, OWNER_FILE);
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not make the store's files {}*.db readable by their owner only: {}", file, e.getMessage());
        }
    }

    private static @Nullable Path h2File(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:h2:file:")) {
            return null;
        }
        return Path.of(jdbcUrl.substring("jdbc:h2:file:".length()).split(";", 2)[0]).toAbsolutePath();
    }

    private static void deleteQuietly(@Nullable Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("Could not delete the temporary store backup {}: {}", file, e.getMessage());
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.strip().lines().findFirst().orElse(message);
    }

    public RunRepository runs() {
        return runs;
    }

    public AuditLog audit() {
        return audit;
    }

    public SecurityRepository security() {
        return security;
    }

    public ExpertStatsRepository expertStats() {
        return expertStats;
    }

    public LeaseRepository leases() {
        return leases;
    }

    /** {@return the journal of agent runs} */
    public AgentRunRepository agentRuns() {
        return agentRuns;
    }

    /** {@return the event outbox} */
    public Outbox outbox() {
        return outbox;
    }

    /** {@return the name of the store provider} */
    public String provider() {
        return provider;
    }

    /** {@return the JDBC URL with any password redacted} */
    public String url() {
        return redactedUrl;
    }

    /** {@return the schema version after migration} */
    public String schemaVersion() {
        return schemaVersion;
    }

    /** The pool, for tests that must reach under the repositories (to tamper with rows, say). */
    DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        try {
            audit.close(); // commits what is queued first
        } finally {
            pool.close();
        }
    }
}
