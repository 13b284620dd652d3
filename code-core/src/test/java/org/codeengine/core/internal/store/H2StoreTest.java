package org.codeengine.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.UUID;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.plugin.h2.H2StoreProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on embedded H2, in memory and in a file. */
class H2StoreTest extends StoreContract {
    @TempDir
    Path files;

    /** A file database, the embedded default; in memory a database is gone once its pool closes. */
    @Override
    protected StoreConfig freshConfig() {
        return StoreConfig.h2File(files.resolve(UUID.randomUUID().toString()).resolve("code-db"));
    }

    @Override
    protected StoreProvider provider() {
        return new H2StoreProvider();
    }

    @Override
    protected boolean tableExists(Connection connection, StoreConfig config, String table) throws Exception {
        return tableInSchema(connection, "PUBLIC", table);
    }

    @Override
    protected String outboxSeqCache(Connection connection) throws Exception {
        return onlyValue(connection,
                "select identity_cache from information_schema.columns where table_name = 'CODE_OUTBOX'"
                        + " and column_name = 'SEQ'");
    }

    @Test
    void outboxSeqs_comeFromACacheOfAThousand_soOneEventInAThousandPaysForACommitOfTheCounter() throws Exception {
        try (Connection c = open(freshConfig()).dataSource().getConnection()) {
            assertThat(outboxSeqCache(c)).isEqualTo(Integer.toString(JdbcStore.H2_OUTBOX_SEQ_CACHE));
        }
    }

    @Test
    void inMemoryStore_opensAtTheCurrentSchema() {
        JdbcStore store = open(StoreConfig.h2InMemory("t" + UUID.randomUUID().toString().replace("-", "")));
        assertThat(store.schemaVersion()).isEqualTo("14");
    }

    @Test
    void sessions_keepEnoughParsedStatementsForAnAgentTurn_unlessTheUrlSaysOtherwise(@TempDir Path dir)
            throws Exception {
        assertSetUnlessTheUrlSetsIt(dir, "QUERY_CACHE_SIZE", "QUERY_CACHE_SIZE", JdbcStore.H2_QUERY_CACHE, 5);
        assertThat(JdbcStore.cachingQueries("jdbc:h2:tcp://localhost/code")).isEqualTo(
                "jdbc:h2:tcp://localhost/code");
    }

    @Test
    void fileStore_splitsSmallPages_soACommitWritesLess_unlessTheUrlSaysOtherwise(@TempDir Path dir)
            throws Exception {
        assertSetUnlessTheUrlSetsIt(dir, "PAGE_SIZE", "info.PAGE_SIZE", JdbcStore.H2_PAGE_SPLIT, 16384);
        assertThat(JdbcStore.smallPages("jdbc:h2:mem:code")).isEqualTo("jdbc:h2:mem:code");
        assertThat(JdbcStore.smallPages("jdbc:h2:tcp://localhost/code")).isEqualTo("jdbc:h2:tcp://localhost/code");
    }

    /** A new store has the setting at {@code expected}; one whose URL gives it a value ({@code own}) keeps that. */
    private void assertSetUnlessTheUrlSetsIt(Path dir, String urlName, String settingName, int expected, int own)
            throws Exception {
        assertThat(querySetting(open(freshConfig()), settingName)).isEqualTo(Integer.toString(expected));
        StoreConfig config = StoreConfig.jdbc("jdbc:h2:file:" + dir.resolve("own/code-db") + ";" + urlName + "="
                + own);
        assertThat(querySetting(open(config), settingName)).isEqualTo(Integer.toString(own));
    }

    private static String querySetting(JdbcStore store, String name) throws Exception {
        try (Connection c = store.dataSource().getConnection();
                var s = c.prepareStatement(
                        "select setting_value from information_schema.settings where setting_name = ?")) {
            s.setString(1, name);
            try (var rows = s.executeQuery()) {
                assertThat(rows.next()).as(name).isTrue();
                return rows.getString(1);
            }
        }
    }

    @Test
    void fileStore_keepsItsDataAcrossReopen(@TempDir Path dir) {
        StoreConfig config = StoreConfig.h2File(dir.resolve("nested/code-db"));
        JdbcStore first = open(config);
        first.runs().create(new RunRecord("r1", "shop", "dev", RunState.RUNNING, "{}", clock.instant(),
                clock.instant(), null, null));
        first.close();

        JdbcStore second = open(config);
        assertThat(second.runs().find("r1")).isPresent();
        assertThat(dir.resolve("nested/code-db.mv.db")).exists();
    }

    @Test
    void fileStore_andItsNewFolder_areReadableByTheirOwnerOnly_andAWiderOldFileIsNarrowed(@TempDir Path dir)
            throws Exception {
        StoreConfig config = StoreConfig.h2File(dir.resolve("home/code-db"));
        open(config).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("home")))).isEqualTo(
                "rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("home/code-db.mv.db"))))
                .isEqualTo("rw-------");

        Files.setPosixFilePermissions(dir.resolve("home/code-db.mv.db"), PosixFilePermissions.fromString(
                "rw-r--r--"));
        open(config).close();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("home/code-db.mv.db"))))
                .as("a store an earlier version left readable by all").isEqualTo("rw-------");
    }
}
