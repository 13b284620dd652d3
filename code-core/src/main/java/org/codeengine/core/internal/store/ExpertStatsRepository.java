package org.codeengine.core.internal.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

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
        for (int attempt = 1;; attempt++) {
            try {
                sql.tx("recording a judged answer of " + expertId, c -> {
                    for (String signal : signals) {
                        try (PreparedStatement s = c.prepareStatement("update code_expert_stats set answered ="
                                + " answered + 1, correct = correct + ?, updated_at = ? where expert_id = ? and signal = ?")) {
                            s.setLong(1, correct ? 1 : 0);
                            Sql.setInstant(s, 2, now);
                            s.setString(3, expertId);
                            s.setString(4, signal);
                            if (s.executeUpdate() == 1) {
                                continue;
                            }
                        }
                        try (PreparedStatement s = c.prepareStatement("insert into code_expert_stats (expert_id,"
                                + " signal, answered, correct, updated_at) values (?, ?, 1, ?, ?)")) {
                            s.setString(1, expertId);
                            s.setString(2, signal);
                            s.setLong(3, correct ? 1 : 0);
                            Sql.setInstant(s, 4, now);
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

    /** @return every expert's counts, by expert and signal */
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
