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
import org.codeengine.api.security.AuditEntry;
import org.jspecify.annotations.Nullable;

/**
 * The journal of agent runs: one row per run, one per turn (written with the model's reply, before any of its tool
 * calls runs: it is their start), one per tool call that ended (a started row, status null, is what runs journaled
 * before a call ran until the reply's row took that role; it reads the same), so that a run whose host died resumes
 * from it. What a run does between
 * two steps that must be durable goes in one transaction ({@link #write}), together with the audit entries of what it
 * did ({@link AuditLog#appendIn}): the log holds every entry of what the journal records, with no commit of its own.
 * The run row carries the lease of the engine that runs it; every write is fenced by it.
 */
public final class AgentRunRepository {
    /** A run's row. */
    public record Run(String runId, String agent, String principal, String spec, String task, boolean ended,
            @Nullable String stopReason, @Nullable String detail, @Nullable String answer, long elapsedMs,
            @Nullable String leaseOwner, @Nullable Instant leaseUntil) {}

    /**
     * A turn's row: {@code reply} is null while the model has not answered (an asked row, which older journals hold);
     * {@code elapsedMs} is the time the run had taken when the reply was written, in milliseconds (0 in rows written
     * before it was kept).
     */
    public record TurnRow(int turn, @Nullable String reply, long elapsedMs) {}

    /** A tool call's row: {@code status} and {@code result} are null while it is in flight. */
    public record CallRow(int turn, int position, String callId, String tool, String arguments,
            @Nullable String result, @Nullable String status) {}

    private static final String RUNNING = "running";
    private static final String ENDED = "ended";
    private final Sql sql;
    private final AuditLog audit;

    AgentRunRepository(Sql sql, AuditLog audit) {
        this.sql = sql;
        this.audit = audit;
    }

    /**
     * Runs journal work and appends {@code entries} to the audit log in its transaction, last (so the head row is the
     * last lock it takes); work that answers {@code false} did nothing, and its entries are not appended.
     */
    private <T> T tx(String what, List<AuditLog.Draft> entries, Sql.Work<T> work) {
        List<List<AuditEntry>> appended = new ArrayList<>(1);
        T result = sql.tx(what, c -> {
            T done = work.run(c);
            if (!entries.isEmpty() && !Boolean.FALSE.equals(done)) {
                appended.add(audit.appendIn(c, entries));
            }
            return done;
        });
        appended.forEach(audit::committedIn);
        return result;
    }

    /** Writes a new run, held by {@code owner} until {@code leaseUntil}, with the audit entries of its start. */
    public void create(String runId, String agent, String principal, String spec, String task, String owner,
            Instant leaseUntil, Instant now, List<AuditLog.Draft> entries) {
        tx("creating agent run " + runId, entries, c -> {
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
     * already, or {@code gone} says its holder's process is gone. The audit entries are appended when it does.
     *
     * @return whether {@code owner} holds it now; false when another holds it or it has ended
     */
    public boolean claim(String runId, String owner, Instant now, Instant leaseUntil, Predicate<String> gone,
            List<AuditLog.Draft> entries) {
        return tx("claiming agent run " + runId, entries, c -> {
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
            try (PreparedStatement s = c.prepareStatement("select turn, reply, elapsed_ms from code_agent_turn where"
                    + " run_id = ? order by turn")) {
                s.setString(1, runId);
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        turns.add(new TurnRow(r.getInt("turn"), r.getString("reply"), r.getLong("elapsed_ms")));
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
     * How a run ended.
     *
     * @param stopReason why it stopped
     * @param detail what the stop reason means for this run
     * @param answer the final answer, or null
     */
    public record End(String stopReason, String detail, @Nullable String answer) {}

    /**
     * What a run did since its last journal write, written in one transaction.
     *
     * @param turn the turn {@code reply} answers (ignored when {@code reply} is null)
     * @param reply the model's reply to that turn, or null
     * @param calls tool-call rows to write: started ({@code status} null) or done
     * @param elapsedMs the time the run has taken so far, in milliseconds
     * @param end how the run ended (it gives its lease up), or null while it goes on
     * @param audit the audit entries of what the run did since its last write, appended in the same transaction
     * @param journaledTurn the one turn whose rows the journal may hold already (the turn a resumed run goes on
     *        with: an older journal may hold its asked row or its calls' started rows), or 0: the rows of every other
     *        turn are new, and are inserted without looking for them first
     */
    public record Entry(int turn, @Nullable String reply, List<CallRow> calls, long elapsedMs, @Nullable End end,
            List<AuditLog.Draft> audit, int journaledTurn) {
        public Entry {
            calls = List.copyOf(calls);
            audit = List.copyOf(audit);
        }
    }

    /**
     * Writes what a run did since its last write, all or nothing, fenced by the lease: only while {@code owner} holds
     * the run. A write that carries a reply and goes on locks the run's row to check its holder and keeps the time
     * taken on the reply's row: on H2 an update of the run's row would rewrite it and its key's index in the commit. A
     * write without a reply, and the end, update the run's row.
     *
     * @throws org.codeengine.api.StoreException if another engine holds the run now (its lease passed on), or the write fails
     */
    public void write(String runId, String owner, Entry entry, Instant now) {
        tx("journaling agent run " + runId, entry.audit(), c -> {
            End end = entry.end();
            if (entry.reply() != null && end == null) {
                checkHolder(c, runId, owner);
            } else {
                updateRun(c, runId, owner, entry, end, now);
            }
            if (entry.reply() != null) {
                writeTurn(c, runId, entry.turn(), entry.reply(), entry.elapsedMs(), entry.turn() == entry
                        .journaledTurn());
            }
            if (!entry.calls().isEmpty()) {
                writeCalls(c, runId, entry.calls(), entry.journaledTurn());
            }
            return null;
        });
    }

    /** Locks the run's row until the transaction ends, and fails unless {@code owner} holds it. */
    private static void checkHolder(Connection c, String runId, String owner) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select lease_owner from code_agent_run where run_id = ?"
                + " for update")) {
            s.setString(1, runId);
            try (ResultSet r = s.executeQuery()) {
                if (!r.next() || !owner.equals(r.getString(1))) {
                    throw notHeld(runId, owner);
                }
            }
        }
    }

    /** Writes the time taken (and the end) on the run's row, if {@code owner} holds it. */
    private static void updateRun(Connection c, String runId, String owner, Entry entry, @Nullable End end,
            Instant now) throws SQLException {
        String set = end == null
                ? ""
                : ", state = ?, stop_reason = ?, detail = ?, answer = ?, lease_owner = null, lease_until = null";
        try (PreparedStatement s = c.prepareStatement("update code_agent_run set elapsed_ms = ?, updated_at = ?" + set
                + " where run_id = ? and lease_owner = ?")) {
            s.setLong(1, entry.elapsedMs());
            Sql.setInstant(s, 2, now);
            int at = 3;
            if (end != null) {
                s.setString(at++, ENDED);
                s.setString(at++, end.stopReason());
                s.setString(at++, end.detail());
                Sql.setText(s, at++, end.answer());
            }
            s.setString(at++, runId);
            s.setString(at, owner);
            if (s.executeUpdate() != 1) {
                throw notHeld(runId, owner);
            }
        }
    }

    private static SQLException notHeld(String runId, String owner) {
        return new SQLException("agent run " + runId + " is not held by " + owner
                + " (it ended, or its lease passed to another engine)");
    }

    /**
     * Writes a call's row: inserts it, unless it is of {@code journaledTurn}, whose row may be there already (then
     * updates it, and inserts it when there was none).
     */
    private static void writeCalls(Connection c, String runId, List<CallRow> calls, int journaledTurn)
            throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("insert into code_agent_call (state, result, status,"
                + " run_id, turn, position, call_id, tool, arguments) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (CallRow call : calls) {
                if (call.turn() == journaledTurn && updated(c, call, runId)) {
                    continue;
                }
                bindCall(insert, call, runId);
                insert.setString(7, call.callId());
                insert.setString(8, call.tool());
                insert.setString(9, call.arguments());
                insert.executeUpdate();
            }
        }
    }

    /** {@return whether the call had a row, which now holds its end} */
    private static boolean updated(Connection c, CallRow call, String runId) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("update code_agent_call set state = ?, result = ?,"
                + " status = ? where run_id = ? and turn = ? and position = ?")) {
            bindCall(update, call, runId);
            return update.executeUpdate() == 1;
        }
    }

    private static void bindCall(PreparedStatement s, CallRow call, String runId) throws SQLException {
        s.setString(1, call.status() == null ? "started" : "done");
        Sql.setText(s, 2, call.result());
        Sql.setText(s, 3, call.status());
        s.setString(4, runId);
        s.setInt(5, call.turn());
        s.setInt(6, call.position());
    }

    /**
     * Renews the leases {@code owner} holds on running runs.
     *
     * @return the runs among {@code runIds} that {@code owner} no longer holds (ended, or taken over)
     */
    public List<String> renew(String owner, List<String> runIds, Instant leaseUntil) {
        if (runIds.isEmpty()) {
            return List.of();
        }
        return sql.tx("renewing the leases of " + runIds.size() + " agent runs", c -> {
            List<String> lost = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("update code_agent_run set lease_until = ? where run_id = ?"
                    + " and lease_owner = ? and state = ?")) {
                for (String runId : runIds) {
                    Sql.setInstant(s, 1, leaseUntil);
                    s.setString(2, runId);
                    s.setString(3, owner);
                    s.setString(4, RUNNING);
                    if (s.executeUpdate() != 1) {
                        lost.add(runId);
                    }
                }
            }
            return lost;
        });
    }

    /**
     * Writes a turn's reply with the time the run has taken: inserts its row, or updates the row an older journal may
     * hold when {@code mayExist} (and inserts it when there was none).
     */
    private static void writeTurn(Connection c, String runId, int turn, String reply, long elapsedMs,
            boolean mayExist) throws SQLException {
        String insert = "insert into code_agent_turn (reply, elapsed_ms, run_id, turn, state) values (?, ?, ?, ?,"
                + " 'replied')";
        List<String> tries = mayExist
                ? List.of("update code_agent_turn set reply = ?, elapsed_ms = ?, state = 'replied' where run_id = ?"
                        + " and turn = ?", insert)
                : List.of(insert);
        for (String statement : tries) { // both bind (reply, elapsed, run id, turn)
            try (PreparedStatement s = c.prepareStatement(statement)) {
                s.setString(1, reply);
                s.setLong(2, elapsedMs);
                s.setString(3, runId);
                s.setInt(4, turn);
                if (s.executeUpdate() == 1) {
                    return;
                }
            }
        }
    }
}
