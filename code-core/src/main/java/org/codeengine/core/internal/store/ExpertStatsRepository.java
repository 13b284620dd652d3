package org.codeengine.core.internal.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
                        long answered = e.getValue()[0];
                        long correct = e.getValue()[1];
                        try (PreparedStatement s = c.prepareStatement("update code_expert_stats set answered ="
                                + " answered + ?, correct = correct + ?, updated_at = ? where expert_id = ? and signal = ?")) {
                            s.setLong(1, answered);
                            s.setLong(2, correct);
                            Sql.setInstant(s, 3, now);
                            s.setString(4, expertId);
                            s.setString(5, e.getKey());
                            if (s.executeUpdate() == 1) {
                                continue;
                            }
                        }
                        try (PreparedStatement s = c.prepareStatement("insert into code_expert_stats (expert_id,"
                                + " signal, answered, correct, updated_at) values (?, ?, ?, ?, ?)")) {
                            s.setString(1, expertId);
                            s.setString(2, e.getKey());
                            s.setLong(3, answered);
                            s.setLong(4, correct);
                            Sql.setInstant(s, 5, now);
                            s.executeUpdate();
                        }
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

    /** {@return every expert's counts, by expert and signal} */
    public List<ExpertStats> all() {
        return sql.tx("reading expert statistics", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "select * from code_expert_stats order by expert_id, signal"); ResultSet rows = s.executeQuery()) {
                List<ExpertStats> stats = new ArrayList<>();
                while (rows.next()) {
                    stats.add(new ExpertStats(rows.getString("expert_id"), rows.getString("signal"), rows.getLong(
                            "answered"), rows.getLong("correct"), Sql.getRequiredInstant(rows, "updated_at")));
                }
                return stats;
            }
        });
    }
}
