package org.codeengine.core.internal.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.jspecify.annotations.Nullable;

/**
 * The append-only audit log as a hash chain. Each entry's hash covers its fields and the hash before it. Appends lock
 * the one head row, so processes appending at once take turns and the chain never forks.
 */
public final class AuditLog {
    /** The hash before the first entry. */
    public static final String GENESIS = "0".repeat(64);

    /**
     * The outcome of a verification.
     *
     * @param entries how many entries were checked
     * @param firstBroken the sequence of the first entry that does not match, or null when the chain is intact
     * @param reason why it does not match, or empty
     */
    public record Verification(long entries, @Nullable Long firstBroken, String reason) {
        public boolean intact() {
            return firstBroken == null;
        }
    }

    private final Sql sql;
    private final Clock clock;

    AuditLog(Sql sql, Clock clock) {
        this.sql = sql;
        this.clock = clock;
    }

    /** Appends an entry at the end of the chain and returns it. Texts must hold no secrets. */
    public AuditEntry append(String principalId, String action, String target, Outcome outcome, String detail) {
        return sql.tx("appending to the audit log", c -> {
            long seq;
            String prev;
            try (PreparedStatement s = c.prepareStatement(
                    "select seq, hash from code_audit_head where id = 1 for update");
                    ResultSet rows = s.executeQuery()) {
                if (!rows.next()) {
                    throw new SQLException("the audit head row is missing; the store's schema was changed by hand");
                }
                seq = rows.getLong(1) + 1;
                prev = rows.getString(2);
            }
            Instant at = Sql.truncate(clock.instant());
            String hash = hash(seq, at, principalId, action, target, outcome, detail, prev);
            try (PreparedStatement s = c.prepareStatement("insert into code_audit (seq, at, principal, action,"
                    + " target, outcome, detail, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setLong(1, seq);
                Sql.setInstant(s, 2, at);
                s.setString(3, principalId);
                s.setString(4, action);
                s.setString(5, target);
                s.setString(6, outcome.name());
                s.setString(7, detail);
                s.setString(8, prev);
                s.setString(9, hash);
                s.executeUpdate();
            }
            try (PreparedStatement s = c
                    .prepareStatement("update code_audit_head set seq = ?, hash = ? where id = 1")) {
                s.setLong(1, seq);
                s.setString(2, hash);
                s.executeUpdate();
            }
            return new AuditEntry(seq, at, principalId, action, target, outcome, detail, prev, hash);
        });
    }

    /** @return up to {@code limit} entries from sequence {@code from} on */
    public List<AuditEntry> read(long from, int limit) {
        return sql.tx("reading the audit log", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "select * from code_audit where seq >= ? order by seq fetch first ? rows only")) {
                s.setLong(1, from);
                s.setInt(2, limit);
                List<AuditEntry> entries = new ArrayList<>();
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        entries.add(entry(rows));
                    }
                }
                return entries;
            }
        });
    }

    /** Recomputes the whole chain and reports the first entry that was changed, removed or reordered. */
    public Verification verify() {
        long checked = 0;
        long expectedSeq = 1;
        String prev = GENESIS;
        while (true) {
            List<AuditEntry> page = read(expectedSeq, 1000);
            if (page.isEmpty()) {
                return new Verification(checked, null, "");
            }
            for (AuditEntry e : page) {
                checked++;
                if (e.sequence() != expectedSeq) {
                    return new Verification(checked, expectedSeq, "entry " + expectedSeq + " is missing");
                }
                if (!e.previousHash().equals(prev)) {
                    return new Verification(checked, e.sequence(), "its previous hash does not match entry "
                            + (e.sequence() - 1));
                }
                String recomputed = hash(e.sequence(), e.at(), e.principalId(), e.action(), e.target(), e.outcome(),
                        e.detail(), e.previousHash());
                if (!recomputed.equals(e.hash())) {
                    return new Verification(checked, e.sequence(), "its content does not match its hash");
                }
                prev = e.hash();
                expectedSeq++;
            }
        }
    }

    private static AuditEntry entry(ResultSet rows) throws SQLException {
        return new AuditEntry(rows.getLong("seq"), Sql.getRequiredInstant(rows, "at"), rows.getString("principal"),
                rows.getString("action"), rows.getString("target"), Outcome.valueOf(rows.getString("outcome")),
                rows.getString("detail"), rows.getString("prev_hash"), rows.getString("hash"));
    }

    /** SHA-256 over the fields, each prefixed by its length so that no two entries encode alike. */
    static String hash(long seq, Instant at, String principal, String action, String target, Outcome outcome,
            String detail, String previousHash) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        for (String field : List.of(Long.toString(seq), at.toString(), principal, action, target, outcome.name(),
                detail, previousHash)) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            digest.update((bytes.length + ":").getBytes(StandardCharsets.US_ASCII));
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
