package org.codeengine.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.plugin.h2.H2StoreProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log's tamper evidence: each kind of tampering is caught at the first bad entry or checkpoint, and so is
 * each of 1,000 random mutations of a stored log. Proofs verify from the proof alone.
 */
class AuditTamperTest {
    @TempDir
    Path dir;
    JdbcStore store;
    AuditLog audit;
    KeyPair key;
    AuditLog.Signer signer;

    @BeforeEach
    void fortyEntriesWithACheckpointEveryTen() throws Exception {
        store = JdbcStore.open(StoreConfig.h2File(dir.resolve("code-db")), new H2StoreProvider(), Clock.systemUTC(),
                null, List.of(JdbcStore.MIGRATIONS));
        audit = store.audit();
        key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        signer = new AuditLog.Signer("k1", key.getPrivate(), key.getPublic());
        for (int block = 0; block < 4; block++) {
            List<CompletableFuture<AuditEntry>> appends = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                appends.add(audit.appendAsync("user-" + (i % 3), "deploy:run:dev", "run-" + block + "-" + i,
                        i % 4 == 0 ? Outcome.FAILURE : Outcome.SUCCESS, "detail " + block + "/" + i));
            }
            appends.forEach(CompletableFuture::join);
            audit.checkpoint(signer);
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    AuditLog.Verification verify() {
        return audit.verify(key.getPublic(), List.of());
    }

    void sql(String statement, Object... args) throws SQLException {
        try (Connection c = store.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            s.executeUpdate();
        }
    }

    @Test
    void anIntactLog_verifies_andItsProofsCheckOutFromTheProofAlone() {
        assertThat(verify().intact()).isTrue();
        assertThat(verify().entries()).isEqualTo(40);
        assertThat(audit.checkpoints()).extracting(AuditLog.Checkpoint::treeSize).containsExactly(10L, 20L, 30L, 40L);
        AuditEntry entry = audit.read(17, 1).getFirst();
        String root = audit.root(40);
        assertThat(AuditLog.verifyInclusion(entry, 40, audit.inclusionProof(17, 40), root)).isTrue();
        assertThat(AuditLog.verifyInclusion(audit.read(18, 1).getFirst(), 40, audit.inclusionProof(17, 40), root))
                .isFalse();
        AuditLog.Checkpoint ten = audit.checkpoints().getFirst();
        assertThat(AuditLog.verifyConsistency(10, 40, ten.root(), root, audit.consistencyProof(10, 40))).isTrue();
        assertThat(ten.signedBy(key.getPublic())).isTrue();
    }

    @Test
    void aModifiedByte_isCaughtAtItsEntry() throws SQLException {
        sql("update code_audit set detail = 'detail 0/7!' where seq = 8");
        assertThat(verify().firstBroken()).isEqualTo(8L);
        assertThat(verify().reason()).isEqualTo("its content does not match its hash");
    }

    @Test
    void aDeletedEntry_isCaughtWhereItWas() throws SQLException {
        sql("delete from code_audit where seq = 12");
        assertThat(verify().firstBroken()).isEqualTo(12L);
        assertThat(verify().reason()).isEqualTo("entry 12 is missing");
    }

    @Test
    void twoSwappedEntries_areCaughtAtTheFirst() throws SQLException {
        swap(15, 16);
        assertThat(verify().firstBroken()).isEqualTo(15L);
    }

    @Test
    void aForgedInsertedEntry_isCaught() throws SQLException {
        AuditEntry twenty = audit.read(20, 1).getFirst();
        for (long seq = 40; seq >= 21; seq--) {
            sql("update code_audit set seq = ? where seq = ?", seq + 1, seq);
        }
        java.time.Instant at = twenty.at();
        String forgedHash = AuditLog.hash(21, at, "mallory", "deploy:run:prod", "run-x", "SUCCESS", "all good",
                twenty.hash());
        sql("insert into code_audit (seq, at, principal, action, target, outcome, detail, prev_hash, hash) values (21,"
                + " ?, 'mallory', 'deploy:run:prod', 'run-x', 'SUCCESS', 'all good', ?, ?)",
                java.sql.Timestamp.from(
                        at),
                twenty.hash(), forgedHash);
        assertThat(verify().firstBroken()).isEqualTo(22L);
        assertThat(verify().reason()).contains("previous hash does not match entry 21");
    }

    @Test
    void aTruncatedTail_isCaughtAgainstTheLastCheckpoint() throws SQLException {
        sql("delete from code_audit where seq > 35");
        sql("update code_audit_head set seq = 35, hash = (select hash from code_audit where seq = 35) where id = 1");
        assertThat(audit.verify().intact()).as("the chain alone cannot tell").isTrue();
        assertThat(verify().intact()).isFalse();
        assertThat(verify().reason()).contains("truncated");
    }

    @Test
    void aWholeLogRewrite_isCaughtAgainstThePinnedKey_orAWitnessedCheckpoint() throws Exception {
        AuditLog.Checkpoint witnessed = audit.checkpoints().getLast();
        rewriteEverything();
        KeyPair mallory = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        audit.checkpoint(new AuditLog.Signer("k1", mallory.getPrivate(), mallory.getPublic()));
        assertThat(audit.verify().intact()).as("a consistent new chain").isTrue();
        assertThat(verify().reason()).contains("not signed by the pinned key");

        sql("delete from code_audit_checkpoint");
        assertThat(audit.verify(key.getPublic(), List.of(witnessed)).reason()).contains("no longer have the root");
    }

    @Test
    void aThousandRandomMutations_areEachDetected() throws Exception {
        List<Object[]> pristine = rows("select * from code_audit order by seq");
        List<Object[]> checkpoints = rows("select * from code_audit_checkpoint order by tree_size");
        Random random = new Random(20261124);
        String[] columns = {"at", "principal", "action", "target", "outcome", "detail", "prev_hash", "hash"};
        for (int i = 0; i < 1000; i++) {
            int kind = random.nextInt(6);
            long seq = 1 + random.nextInt(40);
            String what;
            switch (kind) {
                case 0 -> {
                    String column = columns[random.nextInt(columns.length)];
                    what = "changed " + column + " of " + seq;
                    if (column.equals("at")) {
                        sql("update code_audit set at = dateadd(microsecond, " + (1 + random.nextInt(1_000_000))
                                + ", at) where seq = ?", seq);
                    } else {
                        String old = (String) pristine.get((int) seq - 1)[index(column)];
                        sql("update code_audit set " + column + " = ? where seq = ?", mutate(old, random), seq);
                    }
                }
                case 1 -> {
                    what = "deleted " + seq;
                    sql("delete from code_audit where seq = ?", seq);
                }
                case 2 -> {
                    long other = 1 + random.nextInt(40);
                    other = other == seq ? (seq % 40) + 1 : other;
                    what = "swapped " + seq + " and " + other;
                    swap(seq, other);
                }
                case 3 -> {
                    what = "renumbered " + seq;
                    sql("update code_audit set seq = ? where seq = ?", 1000 + seq, seq);
                }
                case 4 -> {
                    what = "truncated after " + (seq - 1);
                    sql("delete from code_audit where seq >= ?", seq);
                }
                default -> {
                    what = "appended a forged entry";
                    sql("insert into code_audit (seq, at, principal, action, target, outcome, detail, prev_hash,"
                            + " hash) values (41, current_timestamp, 'x', 'y', 'z', 'SUCCESS', '', ?, ?)",
                            "0".repeat(
                                    64),
                            "1".repeat(64));
                }
            }
            assertThat(verify().intact()).as("mutation %d: %s", i, what).isFalse();
            restore(pristine, checkpoints);
        }
        assertThat(verify().intact()).isTrue();
    }

    static int index(String column) {
        return List.of("seq", "at", "principal", "action", "target", "outcome", "detail", "prev_hash", "hash").indexOf(
                column);
    }

    static String mutate(String old, Random random) {
        if (old.isEmpty()) {
            return "x";
        }
        char[] chars = old.toCharArray();
        int at = random.nextInt(chars.length);
        chars[at] = chars[at] == 'a' ? 'b' : 'a';
        return new String(chars);
    }

    void swap(long a, long b) throws SQLException {
        sql("update code_audit set seq = -1 where seq = ?", a);
        sql("update code_audit set seq = ? where seq = ?", a, b);
        sql("update code_audit set seq = ? where seq = -1", b);
    }

    void rewriteEverything() throws SQLException {
        List<AuditEntry> entries = audit.read(1, 100);
        sql("delete from code_audit");
        sql("delete from code_audit_checkpoint");
        String prev = AuditLog.GENESIS;
        for (AuditEntry e : entries) {
            String detail = e.detail().replace("detail", "rewritten");
            String hash = AuditLog.hash(e.sequence(), e.at(), e.principalId(), e.action(), e.target(), e.outcome()
                    .name(), detail, prev);
            sql("insert into code_audit (seq, at, principal, action, target, outcome, detail, prev_hash, hash) values"
                    + " (?, ?, ?, ?, ?, ?, ?, ?, ?)", e.sequence(), java.sql.Timestamp.from(e.at()), e.principalId(),
                    e
                            .action(),
                    e.target(), e.outcome().name(), detail, prev, hash);
            prev = hash;
        }
        sql("update code_audit_head set seq = 40, hash = ? where id = 1", prev);
    }

    List<Object[]> rows(String query) throws SQLException {
        List<Object[]> rows = new ArrayList<>();
        try (Connection c = store.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet r = s
                        .executeQuery(query)) {
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                Object[] row = new Object[n];
                for (int i = 0; i < n; i++) {
                    row[i] = r.getObject(i + 1);
                }
                rows.add(row);
            }
        }
        return rows;
    }

    void restore(List<Object[]> entries, List<Object[]> checkpoints) throws SQLException {
        try (Connection c = store.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeUpdate("delete from code_audit");
                s.executeUpdate("delete from code_audit_checkpoint");
            }
            insertAll(c, "insert into code_audit values (?, ?, ?, ?, ?, ?, ?, ?, ?)", entries);
            insertAll(c, "insert into code_audit_checkpoint values (?, ?, ?, ?, ?)", checkpoints);
            try (PreparedStatement s = c
                    .prepareStatement("update code_audit_head set seq = 40, hash = ? where id = 1")) {
                s.setObject(1, entries.getLast()[8]);
                s.executeUpdate();
            }
            c.commit();
        }
    }

    static void insertAll(Connection c, String sql, List<Object[]> rows) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            for (Object[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    s.setObject(i + 1, row[i]);
                }
                s.addBatch();
            }
            s.executeBatch();
        }
    }
}
