package org.codeengine.core.internal.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.core.internal.events.CloudEventJson;
import org.jspecify.annotations.Nullable;

/**
 * The event outbox: a queue of what waits to be published ({@code code_outbox}) and the history of what was
 * ({@code code_event}). Repositories write events with {@link #insert} inside the transaction of the state change they
 * report: one narrow row under one ever-growing key, nothing else, so the event costs its state change little. The
 * relay reads the queue in order ({@link #unsent}), publishes, and then moves what it published into the history
 * ({@link #published}).
 *
 * <p>Why the relay never skips an event, though a row's {@code seq} is handed out at insert and not at commit (a
 * transaction may take seq 5 and commit after seq 6 was published): the relay keeps no position. It reads whatever
 * rows the queue holds, lowest seq first, and a row leaves the queue only in the relay's own transaction, after the
 * bus took it, and only if the relay read it. A row that commits late is in the queue from its commit on, and the next
 * round publishes it, whatever seq it carries. A relay that dies after publishing and before moving leaves the rows in
 * the queue, and the next one publishes them again: at least once, with the event's id to de-duplicate. Two relays that
 * both believe they hold the lease each lock the rows they move ({@code for update}), so a row enters the history once.
 *
 * <p>Order: the events of one run are written by the one engine holding the run, one transaction after the other, so
 * their seqs, and the order the relay reads them in, follow their commits. The history's order ({@code pos}) is the
 * order the relay published in.
 */
public final class Outbox {
    /**
     * One event of the queue or the history.
     *
     * @param seq its place: in the queue while unsent, in the history once sent
     * @param id the event's id
     * @param type the event's type
     * @param json the event as CloudEvents JSON
     * @param sent whether the relay has published it
     */
    public record Row(long seq, String id, String type, String json, boolean sent) {}

    private static final String COLUMNS = "event_id, type, body";
    private static final String INSERT = "insert into code_outbox (" + COLUMNS + ") values (?, ?, ?)";

    private final Sql sql;

    Outbox(Sql sql) {
        this.sql = sql;
    }

    /** Writes events in the caller's transaction. */
    static void insert(Connection c, List<CloudEvent> events) throws SQLException {
        if (events.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            if (events.size() == 1) { // most state changes report one event: no batch to build and unpack
                bind(s, 1, events.getFirst());
                s.executeUpdate();
                return;
            }
            for (CloudEvent e : events) {
                bind(s, 1, e);
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /**
     * The statement that makes an update and writes the events it reports in one, on PostgreSQL: the events cost the
     * state change no round trip of their own. The events are inserted, in order, only if the update wrote its row (it
     * must write one row at most), so the statement's count, the events inserted, is above 0 exactly when it wrote. The
     * events are plain parameters, one row of {@code values} each (one event, the usual case, is a plain
     * {@code select} of its parameters: no values list to scan and sort): no array to encode on the client and parse
     * on the server, and one prepared statement per count of events. The text is kept for the usual counts, so a state
     * change does not build it, and the driver does not hash a new string of it, each time.
     *
     * @param update an {@code update} statement without {@code returning}
     * @param events how many events the statement carries, at least 1
     * @return the statement; bind the update's parameters, then {@link #bindCarried} after them
     */
    static String carriedBy(String update, int events) {
        if (events > CARRIED_KEPT) {
            return carrying(update, events);
        }
        return CARRIED.computeIfAbsent(new Carried(update, events), k -> carrying(k.update(), k.events()));
    }

    /** The most events per statement whose text {@link #carriedBy} keeps. */
    private static final int CARRIED_KEPT = 8;

    /** An update statement and a count of events it carries. */
    private record Carried(String update, int events) {}

    private static final ConcurrentHashMap<Carried, String> CARRIED = new ConcurrentHashMap<>();

    private static String carrying(String update, int events) {
        StringBuilder sql = new StringBuilder("with written as (").append(update).append(" returning 1)"
                + " insert into code_outbox (" + COLUMNS + ") select ");
        if (events == 1) {
            return sql.append("?, ?, ? from written").toString();
        }
        sql.append("e.i, e.t, e.b from written, (values ");
        for (int n = 0; n < events; n++) {
            sql.append(n == 0 ? "" : ", ").append('(').append(n).append(", ?, ?, ?)");
        }
        return sql.append(") as e(n, i, t, b) order by e.n").toString();
    }

    /**
     * Binds events to a statement of {@link #carriedBy}.
     *
     * @param first the index of the first parameter after the update's
     */
    static void bindCarried(PreparedStatement s, int first, List<CloudEvent> events) throws SQLException {
        for (int n = 0; n < events.size(); n++) {
            bind(s, first + 3 * n, events.get(n));
        }
    }

    private static void bind(PreparedStatement s, int first, CloudEvent e) throws SQLException {
        s.setString(first, e.id());
        s.setString(first + 1, e.type());
        s.setString(first + 2, CloudEventJson.write(e));
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

    /** {@return up to {@code limit} unsent events, lowest seq first} */
    public List<Row> unsent(int limit) {
        return sql.tx("reading the outbox", c -> {
            try (PreparedStatement s = c.prepareStatement("select seq, " + COLUMNS + ", 0 as sent from code_outbox"
                    + " order by seq fetch first ? rows only")) {
                s.setInt(1, limit);
                return rows(s);
            }
        });
    }

    /**
     * Moves published events from the queue into the history, in seq order, stamped {@code now}. Events no longer in
     * the queue (another relay moved them) are left out.
     *
     * @param seqs the events' seqs, as {@link #unsent} gave them
     * @return how many were moved
     */
    public int published(List<Long> seqs, Instant now) {
        if (seqs.isEmpty()) {
            return 0;
        }
        return sql.tx("moving " + seqs.size() + " published events to the history", c -> {
            List<Long> locked = new ArrayList<>(seqs.size());
            try (PreparedStatement s = c.prepareStatement(
                    "select seq from code_outbox where seq = any(?) order by seq for update")) {
                s.setArray(1, longs(c, seqs));
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        locked.add(r.getLong(1));
                    }
                }
            }
            if (locked.isEmpty()) {
                return 0;
            }
            Array moved = longs(c, locked);
            try (PreparedStatement s = c.prepareStatement("insert into code_event (" + COLUMNS + ", sent_at) select "
                    + COLUMNS + ", ? from code_outbox where seq = any(?) order by seq")) {
                Sql.setInstant(s, 1, now);
                s.setArray(2, moved);
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("delete from code_outbox where seq = any(?)")) {
                s.setArray(1, moved);
                return s.executeUpdate();
            }
        });
    }

    private static Array longs(Connection c, List<Long> values) throws SQLException {
        return c.createArrayOf("bigint", values.toArray(Long[]::new));
    }

    /** How many of the newest history rows a lookup of an event id scans before it scans them all. */
    static final int RECENT = 10_000;

    /**
     * The position in the history of the event with the id bound to the first parameter, looked for among the newest
     * {@value #RECENT} rows (a backward walk of the primary key: the history has no index on the event id, which the
     * relay would pay for on every event it moves); null if not there.
     */
    private static final String RECENT_POS = "(select max(pos) from (select pos, event_id from code_event order by pos"
            + " desc fetch first " + RECENT + " rows only) r where event_id = ?)";

    /**
     * {@return up to {@code limit} events after it (or the newest), oldest first} The order is the history's, then the
     * queue's. The events are read in one statement, so that an event the relay moves from the queue into the history
     * meanwhile is seen once. A reader going on from a recent event (as {@code code events tail --follow} does) costs a
     * walk back over at most {@value #RECENT} history rows and a look at the queue, which holds only what the relay has
     * not published yet. A reader paging through older history goes on from the last event of a page this outbox gave
     * it, whose place it remembers (the last {@value #PLACES} pages' ends): a look-up by the key, however far back. Only
     * an id this outbox did not hand out lately, and not among the recent rows, is looked for in the whole history.
     *
     * <p>Unlike the relay, a reader that goes on from an event still in the queue keeps a position: an event whose
     * transaction took a lower seq and commits after the reader saw a higher one is not shown to it. Readers of the
     * history (what the relay published) see every event; the bus's consumers get every event either way.
     *
     * @param afterId the id of the last event seen, or null for the newest {@code limit} events
     * @throws NotFoundException if {@code afterId} is neither in the history nor in the queue: pruned, or never written
     *         to this store; a reader that lost its place so learns it and can start again from the newest
     */
    public List<Row> after(@Nullable String afterId, int limit) {
        List<Row> rows = sql.tx("reading the outbox", c -> {
            if (afterId == null) {
                try (PreparedStatement s = c.prepareStatement("select * from (select 1 as part, seq, " + COLUMNS
                        + ", 0 as sent from code_outbox order by seq desc fetch first ? rows only) q union all"
                        + " select * from (select 0, pos, " + COLUMNS + ", 1 from code_event order by pos desc"
                        + " fetch first ? rows only) h order by part desc, seq desc")) {
                    s.setInt(1, limit);
                    s.setInt(2, limit);
                    return first(rows(s), limit).reversed();
                }
            }
            Long placedAt = places.get(afterId);
            if (placedAt != null && inHistory(c, placedAt, afterId)) {
                return fromHistory(c, placedAt, limit);
            }
            // where the event is: in the recent history, in the queue, or (an old one) further back in the history
            try (PreparedStatement s = c.prepareStatement("select " + RECENT_POS + ", (select max(seq) from code_outbox"
                    + " where event_id = ?)")) {
                s.setString(1, afterId);
                s.setString(2, afterId);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    long pos = r.getLong(1);
                    if (!r.wasNull()) {
                        return fromHistory(c, pos, limit);
                    }
                    long seq = r.getLong(2);
                    if (!r.wasNull()) {
                        return fromQueue(c, afterId, seq, limit);
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("select max(pos) from code_event where event_id = ?")) {
                s.setString(1, afterId);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    long pos = r.getLong(1);
                    if (r.wasNull()) {
                        throw new NotFoundException("afterId: no event " + afterId + " in the history or the queue:"
                                + " it was pruned, or never written to this store; read again from the newest events",
                                null);
                    }
                    return fromHistory(c, pos, limit);
                }
            }
        });
        if (!rows.isEmpty() && rows.getLast().sent()) {
            places.put(rows.getLast().id(), rows.getLast().seq());
        }
        return rows;
    }

    /** How many page ends {@link #after} remembers the places of. */
    static final int PLACES = 1024;

    /** The history's positions of the last events of the pages {@link #after} gave, by event id; the eldest go. */
    private final Map<String, Long> places = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > PLACES;
        }
    });

    private static boolean inHistory(Connection c, long pos, String eventId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select event_id from code_event where pos = ?")) {
            s.setLong(1, pos);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && eventId.equals(r.getString(1));
            }
        }
    }

    /** {@return the events after the history's position {@code pos}: the rest of the history, then the queue} */
    private static List<Row> fromHistory(Connection c, long pos, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select * from (select 0 as part, pos as seq, " + COLUMNS
                + ", 1 as sent from code_event where pos > ? order by pos fetch first ? rows only) h union all"
                + " select * from (select 1, seq, " + COLUMNS + ", 0 from code_outbox order by seq fetch first ?"
                + " rows only) q order by part, seq")) {
            s.setLong(1, pos);
            s.setInt(2, limit);
            s.setInt(3, limit);
            return first(rows(s), limit);
        }
    }

    /**
     * {@return the events after the queue's {@code seq}, where the event {@code afterId} was when it was looked for}
     * It may have moved into the history since: the statement looks for it there again, and then reads on from its
     * place in the history.
     */
    private static List<Row> fromQueue(Connection c, String afterId, long seq, int limit) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("select * from (select 0 as part, pos as seq, " + COLUMNS
                + ", 1 as sent from code_event where pos > coalesce(" + RECENT_POS + ", ?) order by pos fetch"
                + " first ? rows only) h union all select * from (select 1, seq, " + COLUMNS + ", 0 from"
                + " code_outbox where seq > ? order by seq fetch first ? rows only) q order by part, seq")) {
            s.setString(1, afterId);
            s.setLong(2, Long.MAX_VALUE);
            s.setInt(3, limit);
            s.setLong(4, seq);
            s.setInt(5, limit);
            return first(rows(s), limit);
        }
    }

    /** {@return how many events wait to be published} */
    public long unsentCount() {
        return sql.tx("counting the outbox", c -> {
            try (PreparedStatement s = c.prepareStatement("select count(*) from code_outbox");
                    ResultSet rows = s.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    /**
     * Deletes from the history up to {@code limit} events published before {@code before}, oldest first: small
     * batches, so that pruning never holds many rows at once. The oldest rows are found by the primary key (the relay
     * stamps rows in the order it moves them), so the history needs no index on the time. The newest event is always
     * kept, however old: a reader that saw it (as {@code code events tail --follow} does on a quiet store) goes on
     * from it, where it would find its place gone and read nothing more.
     *
     * @return how many were deleted
     */
    public int prune(Instant before, int limit) {
        return sql.tx("pruning the event history", c -> {
            try (PreparedStatement s = c.prepareStatement("delete from code_event where pos in (select pos from"
                    + " code_event order by pos fetch first ? rows only) and sent_at < ? and pos < (select max(pos)"
                    + " from code_event)")) {
                s.setInt(1, limit);
                Sql.setInstant(s, 2, before);
                return s.executeUpdate();
            }
        });
    }

    private static List<Row> first(List<Row> rows, int limit) {
        return rows.subList(0, Math.min(limit, rows.size()));
    }

    private static List<Row> rows(PreparedStatement s) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery()) {
            while (r.next()) {
                rows.add(new Row(r.getLong("seq"), r.getString("event_id"), r.getString("type"), r.getString("body"),
                        r.getInt("sent") == 1));
            }
        }
        return rows;
    }
}
