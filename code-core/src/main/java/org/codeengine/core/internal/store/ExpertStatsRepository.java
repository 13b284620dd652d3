package org.codeengine.core.internal.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Expert reliability counts, updated atomically so that concurrent reports are never lost. */
public final class ExpertStatsRepository {
    private final Sql sql;

    ExpertStatsRepository(Sql sql) {
        this.sql = sql;
    }

    /** Counts one judged answer of an expert. */
    public void record(String expertId, boolean correct, Instant now) {
        for (int attempt = 1;; attempt++) {
            try {
                sql.tx("recording a judged answer of " + expertId, c -> {
                    try (PreparedStatement s = c
                            .prepareStatement("update code_expert_stats set answered = answered + 1,"
                                    + " correct = correct + ?, updated_at = ? where expert_id = ?")) {
                        s.setLong(1, correct ? 1 : 0);
                        Sql.setInstant(s, 2, now);
                        s.setString(3, expertId);
                        if (s.executeUpdate() == 1) {
                            return null;
                        }
                    }
                    try (PreparedStatement s = c.prepareStatement("insert into code_expert_stats (expert_id, answered,"
                            + " correct, updated_at) values (?, 1, ?, ?)")) {
                        s.setString(1, expertId);
                        s.setLong(2, correct ? 1 : 0);
                        Sql.setInstant(s, 3, now);
                        s.executeUpdate();
                    }
                    return null;
                });
                return;
            } catch (Sql.DuplicateKey raced) {
                if (attempt >= 3) {
                    throw raced; // another writer inserted the row first; the update path must win next time
                }
            }
        }
    }

    public Optional<ExpertStats> find(String expertId) {
        return all(expertId).stream().findFirst();
    }

    /** @return every expert's counts, by id */
    public List<ExpertStats> all() {
        return all(null);
    }

    private List<ExpertStats> all(@Nullable String only) {
        return sql.tx("reading expert statistics", c -> {
            try (PreparedStatement s = c.prepareStatement("select * from code_expert_stats"
                    + (only == null ? "" : " where expert_id = ?") + " order by expert_id")) {
                if (only != null) {
                    s.setString(1, only);
                }
                List<ExpertStats> stats = new ArrayList<>();
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        stats.add(stats(rows));
                    }
                }
                return stats;
            }
        });
    }

    private static ExpertStats stats(ResultSet rows) throws SQLException {
        return new ExpertStats(rows.getString("expert_id"), rows.getLong("answered"), rows.getLong("correct"),
                Sql.getRequiredInstant(rows, "updated_at"));
    }
}
