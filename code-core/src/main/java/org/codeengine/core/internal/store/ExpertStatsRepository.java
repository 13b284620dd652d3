package org.codeengine.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Expert reliability counts per expert and signal, updated atomically so that concurrent reports are never lost.
 */
public final class ExpertStatsRepository {
    private final Sql sql;

    ExpertStatsRepository(Sql sql) {
        this.sql = sql;
    }

    /**
     * Counts one judged answer of an expert under each of its signals, in one transaction.
     *
     * @param expertId the expert
     * @param signals the situations the answer was in
     * @param correct whether it was right
     * @param now the time of the report
     */
    public void record(String expertId, Collection<String> signals, boolean correct, Instant now) {
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (String signal : signals) {
            counts.put(signal, new long[]{1, correct ? 1 : 0});
        }
        add(expertId, counts, now);
    }

    /**
     * Adds counts to an expert's signals, in one transaction.
     *
     * @param expertId the expert
     * @param counts per signal, how many answers to add ({@code [0]}) and how many of them were right ({@code [1]})
     * @param now the time of the report
     */
    public void add(String expertId, Map<String, long[]> counts, Instant now) {
        for (int attempt = 1;; attempt++) {
            try {
                sql.tx("recording a judged answer of " + expertId, c -> {
                    for (Map.Entry<String, long[]> e : counts.entrySet()) {
                        write(c, expertId, e.getKey(), e.getValue()[0], e.getValue()[1], now, true);
                    }
                    return null;
                });
                return;
            } catch (Sql.DuplicateKey raced) {
                if (attempt >= 5) {
                    throw raced; // another writer inserted the row first; the update path wins on the next try
                }
            }
        }
    }

    /**
     * Replaces a set of an expert's values as one, if no other writer has replaced it since the caller read it: in one
     * transaction the set's version (the {@code answered} of signal {@code version}) goes from {@code read} to
     * {@code read + 1}, and each value is written over its signal's {@code answered}, not added to it.
     *
     * @param expertId the expert (or a panel's pseudo-expert)
     * @param version the signal that holds the set's version
     * @param read the version the caller read, 0 for a set never replaced
     * @param values per signal, the value to write
     * @param now the time of the write
     * @return whether the set was written; false, with nothing written, when another writer replaced it first
     */
    public boolean replace(String expertId, String version, long read, Map<String, Long> values, Instant now) {
        try {
            return sql.tx("replacing the fitted values of " + expertId, c -> {
                if (read == 0) {
                    insert(c, expertId, version, 1, 0, now); // where another writer inserted it first, this throws
                } else {
                    try (PreparedStatement s = c.prepareStatement("update code_expert_stats set answered = ?,"
                            + " updated_at = ? where expert_id = ? and signal = ? and answered = ?")) {
                        s.setLong(1, read + 1);
                        Sql.setInstant(s, 2, now);
                        s.setString(3, expertId);
                        s.setString(4, version);
                        s.setLong(5, read);
                        if (s.executeUpdate() == 0) {
                            return false;
                        }
                    }
                }
                for (Map.Entry<String, Long> e : values.entrySet()) {
                    write(c, expertId, e.getKey(), e.getValue(), 0, now, false);
                }
                return true;
            });
        } catch (Sql.DuplicateKey raced) {
            return false; // another writer created the version first
        }
    }

    /** Writes one signal's row: adds to it, or (with {@code add} false) writes over it; inserts it where it is missing. */
    private static void write(Connection c, String expertId, String signal, long answered, long correct,
            Instant now, boolean add) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(add
                ? "update code_expert_stats set answered = answered + ?, correct = correct + ?, updated_at = ?"
                        + " where expert_id = ? and signal = ?"
                : "update code_expert_stats set answered = ?, correct = ?, updated_at = ? where expert_id = ? and"
                        + " signal = ?")) {
            s.setLong(1, answered);
            s.setLong(2, correct);
            Sql.setInstant(s, 3, now);
            s.setString(4, expertId);
            s.setString(5, signal);
            if (s.executeUpdate() == 1) {
                return;
            }
        }
        insert(c, expertId, signal, answered, correct, now);
    }

    private static void insert(Connection c, String expertId, String signal, long answered, long correct, Instant now)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into code_expert_stats (expert_id, signal, answered,"
                + " correct, updated_at) values (?, ?, ?, ?, ?)")) {
            s.setString(1, expertId);
            s.setString(2, signal);
            s.setLong(3, answered);
            s.setLong(4, correct);
            Sql.setInstant(s, 5, now);
            s.executeUpdate();
        }
    }

    /** {@return one expert's counts, by signal} */
    public List<ExpertStats> of(String expertId) {
        return read("select * from code_expert_stats where expert_id = ? order by signal", expertId);
    }

    /** {@return every expert's counts, by expert and signal} */
    public List<ExpertStats> all() {
        return read("select * from code_expert_stats order by expert_id, signal", null);
    }

    private List<ExpertStats> read(String query, @Nullable String expertId) {
        return sql.tx("reading expert statistics", c -> {
            try (PreparedStatement s = c.prepareStatement(query)) {
                if (expertId != null) {
                    s.setString(1, expertId);
                }
                try (ResultSet rows = s.executeQuery()) {
                    List<ExpertStats> stats = new ArrayList<>();
                    while (rows.next()) {
                        stats.add(new ExpertStats(rows.getString("expert_id"), rows.getString("signal"), rows.getLong(
                                "answered"), rows.getLong("correct"), Sql.getRequiredInstant(rows, "updated_at")));
                    }
                    return stats;
                }
            }
        });
    }
}
