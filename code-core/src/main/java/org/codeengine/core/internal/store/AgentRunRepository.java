package org.codeengine.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The journal of agent runs: one row per run, one per turn, one per tool call, each written before and after what it
 * records happens, so that a run whose host died resumes from it. The run row carries the lease of the engine that
 * runs it.
 */
public final class AgentRunRepository {
    /** A run's row. */
    public record Run(String runId, String agent, String principal, String spec, String task, boolean ended,
            @Nullable String stopReason, @Nullable String detail, @Nullable String answer, long elapsedMs,
            @Nullable String leaseOwner, @Nullable Instant leaseUntil) {}

    /** A turn's row: {@code reply} is null while the model has not answered. */
    public record TurnRow(int turn, @Nullable String reply) {}

    /** A tool call's row: {@code status} and {@code result} are null while it is in flight. */
    public record CallRow(int turn, int position, String callId, String tool, String arguments,
            @Nullable String result, @Nullable String status) {}

    private static final String RUNNING = "running";
    private static final String ENDED = "ended";
    private final Sql sql;

    AgentRunRepository(Sql sql) {
        this.sql = sql;
    }

    /** Writes a new run, held by {@code owner} until {@code leaseUntil}. */
    public void create(String runId, String agent, String principal, String spec, String task, String owner,
            Instant leaseUntil, Instant now) {
        sql.tx("creating agent run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("insert into code_agent_run (run_id, agent, principal,"
                    + " spec, task, state, elapsed_ms, created_at, updated_at, lease_owner, lease_until)"
                    + " values (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)")) {
                s.setString(1, runId);
                s.setString(2, agent);
                s.setString(3, principal);
                s.setString(4, spec);
                s.setString(5, task);
                s.setString(6, RUNNING);
                Sql.setInstant(s, 7, now);
                Sql.setInstant(s, 8, now);
                s.setString(9, owner);
                Sql.setInstant(s, 10, leaseUntil);
                s.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Takes an unfinished run over for {@code owner}: when no one holds it, its lease ran out, {@code owner} holds it
     * already, or {@code gone} says its holder's process is gone.
     *
     * @return whether {@code owner} holds it now; false when another holds it or it has ended
     */
    public boolean claim(String runId, String owner, Instant now, Instant leaseUntil, Predicate<String> gone) {
        return sql.tx("claiming agent run " + runId, c -> {
            String holder;
            try (PreparedStatement s = c.prepareStatement("select state, lease_owner, lease_until from code_agent_run"
                    + " where run_id = ? for update")) {
                s.setString(1, runId);
                try (ResultSet rows = s.executeQuery()) {
                    if (!rows.next() || rows.getString("state").equals(ENDED)) {
                        return false;
                    }
                    holder = rows.getString("lease_owner");
                    Instant until = Sql.getInstant(rows, "lease_until");
                    boolean free = holder == null || holder.equals(owner) || until == null || !until.isAfter(now)
                            || gone.test(holder);
                    if (!free) {
                        return false;
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("update code_agent_run set lease_owner = ?, lease_until = ?,"
                    + " updated_at = ? where run_id = ?")) {
                s.setString(1, owner);
                Sql.setInstant(s, 2, leaseUntil);
                Sql.setInstant(s, 3, now);
                s.setString(4, runId);
                s.executeUpdate();
            }
            return true;
        });
    }

    public Optional<Run> find(String runId) {
        return sql.tx("reading agent run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("select * from code_agent_run where run_id = ?")) {
                s.setString(1, runId);
                try (ResultSet r = s.executeQuery()) {
                    if (!r.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Run(r.getString("run_id"), r.getString("agent"), r.getString("principal"),
                            r.getString("spec"), r.getString("task"), r.getString("state").equals(ENDED), r
                                    .getString("stop_reason"),
                            r.getString("detail"), r.getString("answer"), r
                                    .getLong("elapsed_ms"),
                            r.getString("lease_owner"), Sql.getInstant(r,
                                    "lease_until")));
                }
            }
        });
    }

    /** {@return the run's turns and tool calls, in order} */
    public Journal journal(String runId) {
        return sql.tx("reading the journal of agent run " + runId, c -> {
            List<TurnRow> turns = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("select turn, reply from code_agent_turn where run_id = ?"
                    + " order by turn")) {
                s.setString(1, runId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        turns.add(new TurnRow(r.getInt("turn"), r.getString("reply")));
                    }
                }
            }
            List<CallRow> calls = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("select * from code_agent_call where run_id = ?"
                    + " order by turn, position")) {
                s.setString(1, runId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        calls.add(new CallRow(r.getInt("turn"), r.getInt("position"), r.getString("call_id"), r
                                .getString("tool"), r.getString("arguments"), r.getString("result"),
                                r.getString(
                                        "status")));
                    }
                }
            }
            return new Journal(List.copyOf(turns), List.copyOf(calls));
        });
    }

    /**
     * A run's turns and calls.
     *
     * @param turns its turns, in order
     * @param calls its tool calls, by turn and position
     */
    public record Journal(List<TurnRow> turns, List<CallRow> calls) {}

    /**
     * Records that turn {@code turn} is about to ask the model, with the time the run has taken so far, and renews
     * the lease.
     */
    public void turnAsked(String runId, int turn, long elapsedMs, Instant leaseUntil, Instant now) {
        sql.tx("journaling turn " + turn + " of agent run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("update code_agent_run set elapsed_ms = ?, lease_until = ?,"
                    + " updated_at = ? where run_id = ?")) {
                s.setLong(1, elapsedMs);
                Sql.setInstant(s, 2, leaseUntil);
                Sql.setInstant(s, 3, now);
                s.setString(4, runId);
                s.executeUpdate();
            }
            upsert(c, "update code_agent_turn set reply = null where run_id = ? and turn = ?",
                    "insert into code_agent_turn (run_id, turn, state, reply) values (?, ?, 'asked', null)", runId,
                    turn);
            return null;
        });
    }

    /** Records the model's reply to turn {@code turn}. */
    public void turnReplied(String runId, int turn, String reply) {
        sql.tx("journaling the reply of turn " + turn + " of agent run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("update code_agent_turn set state = 'replied', reply = ?"
                    + " where run_id = ? and turn = ?")) {
                s.setString(1, reply);
                s.setString(2, runId);
                s.setInt(3, turn);
                s.executeUpdate();
            }
            return null;
        });
    }

    /** Records that a tool call is about to run, and renews the run's lease. */
    public void callStarted(String runId, int turn, int position, String callId, String tool, String arguments,
            Instant leaseUntil) {
        call(runId, turn, position, callId, tool, arguments, null, null, leaseUntil);
    }

    /** Records how a tool call ended (written alone for a call that never ran: refused or malformed). */
    public void callDone(String runId, int turn, int position, String callId, String tool, String arguments,
            String result, String status) {
        call(runId, turn, position, callId, tool, arguments, result, status, null);
    }

    private void call(String runId, int turn, int position, String callId, String tool, String arguments,
            @Nullable String result, @Nullable String status, @Nullable Instant leaseUntil) {
        sql.tx("journaling tool call " + turn + "." + position + " of agent run " + runId, c -> {
            if (leaseUntil != null) {
                try (PreparedStatement s = c.prepareStatement("update code_agent_run set lease_until = ? where"
                        + " run_id = ?")) {
                    Sql.setInstant(s, 1, leaseUntil);
                    s.setString(2, runId);
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s = c.prepareStatement("update code_agent_call set state = ?, result = ?,"
                    + " status = ? where run_id = ? and turn = ? and position = ?")) {
                bindCall(s, 1, result, status);
                s.setString(4, runId);
                s.setInt(5, turn);
                s.setInt(6, position);
                if (s.executeUpdate() == 1) {
                    return null;
                }
            }
            try (PreparedStatement s = c.prepareStatement("insert into code_agent_call (state, result, status,"
                    + " run_id, turn, position, call_id, tool, arguments) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                bindCall(s, 1, result, status);
                s.setString(4, runId);
                s.setInt(5, turn);
                s.setInt(6, position);
                s.setString(7, callId);
                s.setString(8, tool);
                s.setString(9, arguments);
                s.executeUpdate();
            }
            return null;
        });
    }

    private static void bindCall(PreparedStatement s, int from, @Nullable String result, @Nullable String status)
            throws SQLException {
        s.setString(from, status == null ? "started" : "done");
        Sql.setText(s, from + 1, result);
        Sql.setText(s, from + 2, status);
    }

    /** Ends a run and gives its lease up. */
    public void end(String runId, String stopReason, String detail, @Nullable String answer, long elapsedMs,
            Instant now) {
        sql.tx("ending agent run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("update code_agent_run set state = ?, stop_reason = ?,"
                    + " detail = ?, answer = ?, elapsed_ms = ?, updated_at = ?, lease_owner = null,"
                    + " lease_until = null where run_id = ?")) {
                s.setString(1, ENDED);
                s.setString(2, stopReason);
                s.setString(3, detail);
                Sql.setText(s, 4, answer);
                s.setLong(5, elapsedMs);
                Sql.setInstant(s, 6, now);
                s.setString(7, runId);
                s.executeUpdate();
            }
            return null;
        });
    }

    private static void upsert(Connection c, String update, String insert, String runId, int turn)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement(update)) {
            s.setString(1, runId);
            s.setInt(2, turn);
            if (s.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement s = c.prepareStatement(insert)) {
            s.setString(1, runId);
            s.setInt(2, turn);
            s.executeUpdate();
        }
    }
}
