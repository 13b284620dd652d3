package org.codeengine.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.core.internal.events.CloudEventJson;
import org.jspecify.annotations.Nullable;

/**
 * The event outbox. Repositories write events with {@link #insert} inside the transaction of the state change they
 * report; the relay reads what is unsent in order and marks it sent once the bus has it.
 */
public final class Outbox {
    /**
     * One row.
     *
     * @param seq the row's place in the outbox, increasing
     * @param id the event's id
     * @param type the event's type
     * @param json the event as CloudEvents JSON
     * @param sent whether the relay has published it
     */
    public record Row(long seq, String id, String type, String json, boolean sent) {}

    private final Sql sql;

    Outbox(Sql sql) {
        this.sql = sql;
    }

    /** Writes events in the caller's transaction. */
    static void insert(Connection c, List<CloudEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(
                "insert into code_outbox (event_id, type, subject, at, body) values (?, ?, ?, ?, ?)")) {
            if (events.size() == 1) { // most state changes report one event: no batch to build and unpack
                bind(s, events.getFirst());
                s.executeUpdate();
                return;
            }
            for (CloudEvent e : events) {
                bind(s, e);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /**
     * The statement that makes an update and writes the events it reports in one, on PostgreSQL: the events cost the
     * state change no round trip of their own. The events are inserted, in order, only if the update wrote its row (it
     * must write one row at most), so the statement's count, the events inserted, is above 0 exactly when it wrote.
     *
     * @param update an {@code update} statement without {@code returning}
     * @return the statement; bind the update's parameters, then {@link #bindCarried} after them
     */
    static String carriedBy(String update) {
        return "with written as (" + update
                + " returning 1) insert into code_outbox (event_id, type, subject, at, body)"
                + " select e.event_id, e.type, e.subject, e.at, e.body from written, unnest(?::varchar[], ?::varchar[],"
                + " ?::varchar[], ?::varchar[]::timestamptz[], ?::varchar[]) with ordinality"
                + " as e(event_id, type, subject, at, body, n) order by e.n";
    }

    /**
     * Binds events to a statement of {@link #carriedBy}, as one array per column.
     *
     * @param first the index of the first parameter after the update's
     */
    static void bindCarried(Connection c, PreparedStatement s, int first, List<CloudEvent> events)
            throws SQLException {
        String[][] columns = new String[5][events.size()];
        for (int i = 0; i < events.size(); i++) {
            CloudEvent e = events.get(i);
            columns[0][i] = e.id();
            columns[1][i] = e.type();
            columns[2][i] = e.subject();
            columns[3][i] = Sql.truncate(e.time()).toString();
            columns[4][i] = CloudEventJson.write(e);
        }
        for (int k = 0; k < columns.length; k++) {
            s.setArray(first + k, c.createArrayOf("varchar", columns[k]));
        }
    }

    private static void bind(PreparedStatement s, CloudEvent e) throws SQLException {
        s.setString(1, e.id());
        s.setString(2, e.type());
        s.setString(3, e.subject());
        Sql.setInstant(s, 4, e.time());
        s.setString(5, CloudEventJson.write(e));
    }

    /** Writes events in a transaction of their own: for events that report no stored change (a health probe's). */
    public void append(List<CloudEvent> events) {
        if (!events.isEmpty()) {
            sql.tx("writing " + events.size() + " events to the outbox", c -> {
                insert(c, events);
                return null;
            });
        }
    }

    /** {@return up to {@code limit} unsent rows, oldest first} */
    public List<Row> unsent(int limit) {
        return sql.tx("reading the outbox", c -> {
            try (PreparedStatement s = c.prepareStatement("select seq, event_id, type, body from code_outbox"
                    + " where sent_at is null order by seq fetch first ? rows only")) {
                s.setInt(1, limit);
                return rows(s, false);
            }
        });
    }

    /** Marks rows sent; returns how many were still unsent. */
    public int markSent(List<Long> seqs, Instant now) {
        if (seqs.isEmpty()) {
            return 0;
        }
        return sql.tx("marking " + seqs.size() + " events sent", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "update code_outbox set sent_at = ? where seq = ? and sent_at is null")) {
                int marked = 0;
                for (long seq : seqs) {
                    Sql.setInstant(s, 1, now);
                    s.setLong(2, seq);
                    s.addBatch();
                }
                for (int n : s.executeBatch()) {
                    marked += Math.max(n, 0);
                }
                return marked;
            }
        });
    }

    /**
     * {@return up to {@code limit} events after it (or the newest), oldest first; empty if {@code afterId} is unknown}
     *
     * @param afterId the id of the last event seen, or null for the newest {@code limit} events
     */
    public List<Row> after(@Nullable String afterId, int limit) {
        return sql.tx("reading the outbox", c -> {
            if (afterId == null) {
                try (PreparedStatement s = c.prepareStatement("select seq, event_id, type, body, sent_at from"
                        + " code_outbox order by seq desc fetch first ? rows only")) {
                    s.setInt(1, limit);
                    List<Row> newest = rows(s, true);
                    return newest.reversed();
                }
            }
            try (PreparedStatement s = c.prepareStatement("select seq, event_id, type, body, sent_at from code_outbox"
                    + " where seq > (select seq from code_outbox where event_id = ?) order by seq"
                    + " fetch first ? rows only")) {
                s.setString(1, afterId);
                s.setInt(2, limit);
                return rows(s, true);
            }
        });
    }

    /** {@return how many events wait to be published} */
    public long unsentCount() {
        return sql.tx("counting the outbox", c -> {
            try (PreparedStatement s = c.prepareStatement("select count(*) from code_outbox where sent_at is null");
                    ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    private static List<Row> rows(PreparedStatement s, boolean withSent) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                rows.add(new Row(r.getLong("seq"), r.getString("event_id"), r.getString("type"), r.getString("body"),
                        withSent && r.getObject("sent_at") != null));
            }
        }
        return rows;
    }
}
