package org.codeengine.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Deployment runs and their steps. */
public final class RunRepository {
    private static final TypeReference<Map<String, String>> OUTPUTS = new TypeReference<>() {
    };
    private static final String UNFINISHED = "('PENDING', 'RUNNING', 'ROLLING_BACK')";

    private final Sql sql;
    private final JsonMapper json;

    RunRepository(Sql sql, JsonMapper json) {
        this.sql = sql;
        this.json = json;
    }

    /** Inserts a new run; fails with a duplicate-key store error if the id is taken. */
    public void create(RunRecord run) {
        sql.tx("creating run " + run.runId(), c -> {
            try (PreparedStatement s = c.prepareStatement("insert into code_run (run_id, name, environment, state,"
                    + " spec, created_at, updated_at, lease_owner, lease_until) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, run.runId());
                s.setString(2, run.name());
                s.setString(3, run.environment());
                s.setString(4, run.state().name());
                s.setString(5, run.spec());
                Sql.setInstant(s, 6, run.createdAt());
                Sql.setInstant(s, 7, run.updatedAt());
                s.setString(8, run.leaseOwner());
                Sql.setInstant(s, 9, run.leaseUntil());
                return s.executeUpdate();
            }
        });
    }

    public Optional<RunRecord> find(String runId) {
        return sql.tx("reading run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("select * from code_run where run_id = ?")) {
                s.setString(1, runId);
                try (ResultSet rows = s.executeQuery()) {
                    return rows.next() ? Optional.of(run(rows)) : Optional.<RunRecord>empty();
                }
            }
        });
    }

    /** @return the newest runs first */
    public List<RunRecord> list(int limit) {
        return sql.tx("listing runs", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "select * from code_run order by created_at desc, run_id fetch first ? rows only")) {
                s.setInt(1, limit);
                return runs(s);
            }
        });
    }

    /** Moves a run from one state to another, only if it is still in the first; returns whether it moved. */
    public boolean transition(String runId, RunState expected, RunState next, Instant now) {
        return sql.tx("changing the state of run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "update code_run set state = ?, updated_at = ? where run_id = ? and state = ?")) {
                s.setString(1, next.name());
                Sql.setInstant(s, 2, now);
                s.setString(3, runId);
                s.setString(4, expected.name());
                return s.executeUpdate() == 1;
            }
        });
    }

    /**
     * Takes up to {@code limit} unfinished runs that no live process holds, for {@code owner}, for {@code lease}.
     * Two processes that claim at once never get the same run: rows another transaction holds are skipped.
     *
     * @return the ids of the runs now held by {@code owner}
     */
    public List<String> claimUnfinished(String owner, Instant now, Duration lease, int limit) {
        return sql.tx("claiming unfinished runs", c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("select run_id from code_run where state in " + UNFINISHED
                    + " and (lease_until is null or lease_until < ?) order by created_at, run_id"
                    + " fetch first ? rows only for update skip locked")) {
                Sql.setInstant(s, 1, now);
                s.setInt(2, limit);
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "update code_run set lease_owner = ?, lease_until = ? where run_id = ?")) {
                for (String id : ids) {
                    s.setString(1, owner);
                    Sql.setInstant(s, 2, now.plus(lease));
                    s.setString(3, id);
                    s.addBatch();
                }
                s.executeBatch();
            }
            return ids;
        });
    }

    /** Inserts or replaces a step's record; {@code position} orders the steps of a run. */
    public void saveStep(StepRecord step, int position) {
        String outputs = json.writeValueAsString(step.outputs());
        sql.tx("saving step " + step.service() + " of run " + step.runId(), c -> {
            if (updateStep(c, step, outputs) == 0) {
                try (PreparedStatement s = c.prepareStatement("insert into code_step (state, attempt, started_at,"
                        + " finished_at, outputs, error, position, run_id, service) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    bindStep(s, step, outputs);
                    s.setInt(7, position);
                    s.setString(8, step.runId());
                    s.setString(9, step.service());
                    s.executeUpdate();
                }
            }
            return null;
        });
    }

    private static int updateStep(Connection c, StepRecord step, String outputs) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("update code_step set state = ?, attempt = ?, started_at = ?,"
                + " finished_at = ?, outputs = ?, error = ? where run_id = ? and service = ?")) {
            bindStep(s, step, outputs);
            s.setString(7, step.runId());
            s.setString(8, step.service());
            return s.executeUpdate();
        }
    }

    private static void bindStep(PreparedStatement s, StepRecord step, String outputs) throws SQLException {
        s.setString(1, step.state().name());
        s.setInt(2, step.attempt());
        Sql.setInstant(s, 3, step.startedAt());
        Sql.setInstant(s, 4, step.finishedAt());
        s.setString(5, outputs);
        s.setString(6, step.error());
    }

    /** @return the run's steps in plan order */
    public List<StepRecord> steps(String runId) {
        return sql.tx("reading the steps of run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "select * from code_step where run_id = ? order by position, service")) {
                s.setString(1, runId);
                List<StepRecord> steps = new ArrayList<>();
                try (ResultSet rows = s.executeQuery()) {
                    while (rows.next()) {
                        steps.add(new StepRecord(rows.getString("run_id"), rows.getString("service"),
                                StepState.valueOf(rows.getString("state")), rows.getInt("attempt"),
                                Sql.getInstant(rows, "started_at"), Sql.getInstant(rows, "finished_at"),
                                json.readValue(rows.getString("outputs"), OUTPUTS), rows.getString("error")));
                    }
                }
                return steps;
            }
        });
    }

    private static List<RunRecord> runs(PreparedStatement s) throws SQLException {
        List<RunRecord> runs = new ArrayList<>();
        try (ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
                runs.add(run(rows));
            }
        }
        return runs;
    }

    private static RunRecord run(ResultSet rows) throws SQLException {
        return new RunRecord(rows.getString("run_id"), rows.getString("name"), rows.getString("environment"),
                RunState.valueOf(rows.getString("state")), rows.getString("spec"),
                Sql.getRequiredInstant(rows, "created_at"), Sql.getRequiredInstant(rows, "updated_at"),
                rows.getString("lease_owner"), Sql.getInstant(rows, "lease_until"));
    }
}
