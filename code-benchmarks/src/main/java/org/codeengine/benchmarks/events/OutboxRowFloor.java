package org.codeengine.benchmarks.events;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.benchmarks.BenchStores;
import org.codeengine.core.internal.events.CloudEventJson;
import org.codeengine.core.internal.store.RunRecord;
import org.jspecify.annotations.Nullable;

/**
 * The floor of any queue row an event can add to its state change (not JMH): {@link OutboxCostBenchmark}'s step write
 * in raw JDBC (the run's row locked for the lease, the step updated, committed), alone and with the event written in
 * each of several shapes, so that the store's code is out of the figure and only what the database does for the event
 * is left. On PostgreSQL a queue row rides in the update's statement, as the store writes it; on H2 it is an insert of
 * its own.
 *
 * <p>The queue shapes: {@code json} writes no row but builds the event and its JSON (what every shape pays on the
 * client); {@code queue} is today's {@code code_outbox} row (event id, type and body as text); {@code seq} a row of the
 * key alone (the least a separate row can be); {@code body} the key and the body as text; {@code bytes} the key and the
 * body as bytes. Their queue, like the outbox with no relay running, only grows.
 *
 * <p>The shapes without a row of their own ask whether the event can ride in a page the commit rewrites anyway (on H2,
 * copy on write, every commit writes each B-tree page it changed, with its path to the root, into a new chunk, so a
 * row in another table adds that table's pages to every commit). Each appends the event, one line each, to a
 * {@code pending} column that the benchmark adds for itself (no migration has it): {@code run-row} to the run's row,
 * whose lease check becomes {@code update code_run set pending = pending || ? where run_id = ? and lease_owner = ?}
 * (one row updated, or the lease is lost) instead of {@code select ... for update}, which on H2 rewrites the row's page
 * too; {@code run-row-key} the same with only the event's id and type (about 70 bytes; the JSON built and dropped), to
 * tell the bytes from the page; {@code step-row} the JSON appended to the step's own row in the step's update, the run's
 * row only locked as before. Every so many writes (the drain interval) the benchmark reads the column, checks that it
 * holds one line per event written since, and empties it, as a relay would, outside the timed spans; with no drain the
 * row grows with every event, the worst case of a relay that is down. A relay would find such events without an index
 * by the runs: on H2, opened by one process only, the writer can hand it the run ids it committed events for (a scan
 * of {@code code_run} or the unfinished runs' steps after a restart); on PostgreSQL, shared by hosts, it would scan the
 * runs, or be told by a {@code notify} sent in the writing transaction.
 *
 * <p>Each shape gets a fresh store of its own (a new H2 file, or a new PostgreSQL schema, migrated as the engine does).
 * As {@link OutboxCostRounds} does, blocks of writes of each shape take turns within a round (the order rotated every
 * round), so that all meet the same machine load, and each block counts the wall time and the CPU a write took (the
 * writing thread's, plus on PostgreSQL the serving process's). Printed: each round, then per shape the medians of the
 * wall and CPU microseconds per write and of the ratios to the plain step write; with that, the bytes per write (what
 * this process wrote to storage on H2, the server's WAL on PostgreSQL: other clients' traffic counts).
 *
 * <p>Arguments: {@code h2|postgres} [writes per block, default 300] [rounds, default 20] [shapes, comma-separated,
 * default all] [drain the pending columns every so many writes, default 20; 0: never]. The first round warms up and is
 * not counted.
 */
public final class OutboxRowFloor {
    private OutboxRowFloor() {}

    /** The step write's update; {@code %s} takes more assignments. */
    private static final String UPDATE_STEP = "update code_step set state = ?, attempt = ?, started_at = ?,"
            + " finished_at = ?, outputs = ?, error = ?%s where run_id = ? and service = ?";

    private static final String OWNER = "bench";

    /** Where a shape puts the event. */
    private enum Rides {
        /** nowhere: no event, or its JSON built and dropped */
        NOWHERE,
        /** a queue row of its own */
        QUEUE,
        /** appended to a column of the run's row, which the lease check then updates instead of locking */
        RUN_ROW,
        /** appended to a column of the step's row, in the step's update */
        STEP_ROW
    }

    /**
     * A shape of queue row, or of a column the event is appended to.
     *
     * @param name names it on the command line and in the output
     * @param rides where the event goes
     * @param table the queue table's definition on H2 and on PostgreSQL ({@code %s} is the body's type), or null for
     *        today's {@code code_outbox} (or no table)
     * @param columns what is written: the columns a queue row's insert names (empty for the key alone); for a pending
     *        column, {@code body} for the event's JSON, otherwise its id and type
     * @param bytes whether the body is bound as bytes
     */
    private record Shape(String name, Rides rides, @Nullable String table, String columns, boolean bytes) {
        /** {@return the body's column type on the store} */
        String bodyType(boolean postgres) {
            return bytes ? (postgres ? "bytea" : "varbinary") : (postgres ? "text" : "varchar");
        }

        /** {@return the table whose row gets a pending column, or null for a shape without one} */
        @Nullable
        String pendingTable() {
            return switch (rides) {
                case RUN_ROW -> "code_run";
                case STEP_ROW -> "code_step";
                case NOWHERE, QUEUE -> null;
            };
        }
    }

    private static final String KEY = "seq bigint generated by default as identity primary key";

    private static final List<Shape> SHAPES = List.of(new Shape("none", Rides.NOWHERE, null, "", false), new Shape(
            "json", Rides.NOWHERE, null, "", false),
            new Shape("queue", Rides.QUEUE, null, "event_id, type, body",
                    false),
            new Shape("seq", Rides.QUEUE, "create table probe_queue (" + KEY + ")", "", false),
            new Shape("body", Rides.QUEUE, "create table probe_queue (" + KEY + ", body %s not null)", "body", false),
            new Shape("bytes", Rides.QUEUE, "create table probe_queue (" + KEY + ", body %s not null)", "body", true),
            new Shape("run-row", Rides.RUN_ROW, null, "body", false), new Shape("run-row-key", Rides.RUN_ROW, null,
                    "event_id, type", false),
            new Shape("step-row", Rides.STEP_ROW, null, "body", false));

    /** One shape's store, its connection and its prepared statements. */
    private static final class Side implements AutoCloseable {
        final Shape shape;
        final boolean postgres;
        final @Nullable String schema;
        final Connection connection;
        final PreparedStatement lock;
        final PreparedStatement update;
        final @Nullable PreparedStatement insert;
        final @Nullable PreparedStatement readPending;
        final @Nullable PreparedStatement clearPending;
        final List<Long> server;
        final String runId = UUID.randomUUID().toString();
        int n;
        int drained;

        Side(Shape shape, String store) throws Exception {
            this.shape = shape;
            postgres = store.equals("postgres");
            BenchStores opened = BenchStores.open(store, "code-row-floor");
            schema = opened.schema();
            Instant now = Instant.now();
            opened.jdbc().runs().create(new RunRecord(runId, "shop", "dev", RunState.RUNNING, "{}", now, now, OWNER,
                    now.plusSeconds(3600)),
                    List.of(new StepRecord(runId, "api", StepState.PENDING, 0, null, null, Map
                            .of("0.pid", "4242"), null)));
            String url = opened.jdbc().url();
            opened.jdbc().close(); // the schema stays until close()
            connection = postgres
                    ? DriverManager.getConnection(BenchStores.PG + "?currentSchema=" + schema, "postgres", null)
                    : DriverManager.getConnection(url + ";WRITE_DELAY=0;QUERY_CACHE_SIZE=64"); // as the store opens it
            String table = "code_outbox";
            String pendingTable = shape.pendingTable();
            try (Statement s = connection.createStatement()) {
                if (shape.table() != null) {
                    table = "probe_queue";
                    s.execute(shape.table().formatted(shape.bodyType(postgres)));
                    if (!postgres) { // as V13 sets the outbox's
                        s.execute("alter table probe_queue alter column seq set cache 1000");
                    }
                }
                if (pendingTable != null) { // the benchmark's own column, in no migration
                    s.execute("alter table " + pendingTable + " add column pending " + shape.bodyType(postgres)
                            + " default '' not null");
                }
            }
            server = postgres ? List.of(backend(connection)) : List.of();
            connection.setAutoCommit(false);
            lock = connection.prepareStatement(shape.rides() == Rides.RUN_ROW
                    ? "update code_run set pending = pending || ? where run_id = ? and lease_owner = ?"
                    : "select 1 from code_run where run_id = ? and lease_owner = ? for update");
            String stepUpdate = UPDATE_STEP.formatted(shape.rides() == Rides.STEP_ROW
                    ? ", pending = pending || ?"
                    : "");
            String values = shape.columns().isEmpty() ? "" : "?" + ", ?".repeat(shape.columns().split(",").length - 1);
            if (shape.rides() == Rides.QUEUE && postgres) { // carried by the update, as Outbox.carriedBy writes it
                update = connection.prepareStatement("with written as (" + stepUpdate + " returning 1) insert into "
                        + table + (shape.columns().isEmpty()
                                ? " select nextval(pg_get_serial_sequence('" + table + "', 'seq')) from written"
                                : " (" + shape.columns() + ") select " + values + " from written"));
                insert = null;
            } else {
                update = connection.prepareStatement(stepUpdate);
                insert = shape.rides() == Rides.QUEUE
                        ? connection.prepareStatement(shape.columns().isEmpty()
                                ? "insert into " + table + " default values"
                                : "insert into " + table + " (" + shape.columns() + ") values (" + values + ")")
                        : null;
            }
            String where = pendingTable == null
                    ? ""
                    : " where run_id = ?" + (pendingTable.equals("code_step")
                            ? " and service = 'api'"
                            : "");
            readPending = pendingTable == null
                    ? null
                    : connection.prepareStatement("select pending from " + pendingTable + where);
            clearPending = pendingTable == null
                    ? null
                    : connection.prepareStatement("update " + pendingTable + " set pending = ''" + where);
        }

        private static long backend(Connection c) throws SQLException {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select pg_backend_pid()")) {
                r.next();
                return r.getLong(1);
            }
        }

        void stepWrite() throws SQLException {
            int i = n++;
            StepState state = (i & 1) == 0 ? StepState.STARTING : StepState.CHECKING_HEALTH;
            CloudEvent event = null;
            String json = null;
            String pending = null;
            if (!shape.name().equals("none")) {
                event = new CloudEvent(UUID.randomUUID().toString(), "/code/bench", CloudEvent.STEP_STATE_CHANGED,
                        runId, Instant.now(), Map.of("run", runId, "service", "api", "state", state.name(), "message",
                                "attempt " + i));
                json = CloudEventJson.write(event);
                // one event a line (JSON escapes its own line breaks); the key alone is its id and type
                pending = (shape.columns().equals("body") ? json : event.id() + " " + event.type()) + "\n";
            }
            int p = 1;
            if (shape.rides() == Rides.RUN_ROW) {
                lock.setString(p++, pending);
            }
            lock.setString(p++, runId);
            lock.setString(p, OWNER);
            if (shape.rides() == Rides.RUN_ROW) {
                if (lock.executeUpdate() != 1) {
                    throw new IllegalStateException("the run's lease is lost");
                }
            } else {
                try (ResultSet r = lock.executeQuery()) {
                    if (!r.next()) {
                        throw new IllegalStateException("the run's lease is lost");
                    }
                }
            }
            update.setString(1, state.name());
            update.setInt(2, i);
            update.setNull(3, Types.TIMESTAMP_WITH_TIMEZONE);
            update.setNull(4, Types.TIMESTAMP_WITH_TIMEZONE);
            update.setString(5, "{\"0.pid\":\"4242\"}");
            update.setNull(6, Types.VARCHAR);
            p = 7;
            if (shape.rides() == Rides.STEP_ROW) {
                update.setString(p++, pending);
            }
            update.setString(p++, runId);
            update.setString(p++, "api");
            PreparedStatement row = insert != null ? insert : update;
            int next = insert != null ? 1 : p;
            if (shape.rides() == Rides.QUEUE && event != null && json != null && !shape.columns().isEmpty()) {
                if (shape.columns().startsWith("event_id")) {
                    row.setString(next++, event.id());
                    row.setString(next++, event.type());
                }
                if (shape.bytes()) {
                    row.setBytes(next, json.getBytes(StandardCharsets.UTF_8));
                } else {
                    row.setString(next, json);
                }
            }
            if (update.executeUpdate() != 1) {
                throw new IllegalStateException("the step write wrote no row");
            }
            if (insert != null) {
                insert.executeUpdate();
            }
            connection.commit();
        }

        /** {@return the step writes since the last drain} */
        int pending() {
            return n - drained;
        }

        /**
         * Empties the pending column, as a relay that published what it read would, after checking that it holds
         * one line for each event written since the last drain; for a shape without a pending column only starts the
         * count again.
         */
        void drain() throws SQLException {
            if (readPending == null || clearPending == null) {
                drained = n; // nothing waits, but its spans stay as long as the others'
                return;
            }
            readPending.setString(1, runId);
            String pending;
            try (ResultSet r = readPending.executeQuery()) {
                if (!r.next()) {
                    throw new IllegalStateException("the pending column's row is gone");
                }
                pending = r.getString(1);
            }
            long lines = pending.chars().filter(c -> c == '\n').count();
            if (lines != pending()) {
                throw new IllegalStateException("the pending column holds " + lines + " events, not the " + pending()
                        + " written since the last drain");
            }
            clearPending.setString(1, runId);
            clearPending.executeUpdate();
            connection.commit();
            drained = n;
        }

        @Override
        public void close() throws SQLException {
            connection.rollback();
            connection.close();
            BenchStores.dropSchema(schema);
        }
    }

    /** Runs the rounds; see the class javadoc for the arguments. */
    public static void main(String[] args) throws Exception {
        RoundsArgs parsed = RoundsArgs.parse(args, 300, 20, "shapes", "drain every");
        String store = parsed.store();
        String shapesArg = parsed.extra(0);
        List<String> names = shapesArg != null ? List.of(shapesArg.split(",")) : List.of();
        for (String name : names) {
            if (SHAPES.stream().noneMatch(s -> s.name().equals(name))) {
                throw new IllegalArgumentException("shapes must be among " + SHAPES.stream().map(Shape::name).toList()
                        + ": " + name);
            }
        }
        String drainArg = parsed.extra(1);
        int drain = drainArg != null ? RoundsArgs.atLeast("drain every", drainArg, 0) : 20;
        // the plain step write always, first: the ratios are to it
        List<Shape> shapes = SHAPES.stream().filter(s -> names.isEmpty() || s.name().equals("none") || names.contains(
                s.name())).toList();
        List<Side> sides = new ArrayList<>();
        try (Connection wal = store.equals("postgres")
                ? DriverManager.getConnection(BenchStores.PG, "postgres", null)
                : null) {
            for (Shape shape : shapes) {
                sides.add(new Side(shape, store));
            }
            measure(store, wal, sides, parsed.writes(), parsed.rounds(), drain);
        } finally {
            for (Side side : sides) {
                side.close();
            }
        }
    }

    /** {@return the bytes written so far: this process's on H2, the server's WAL through that connection} */
    private static long bytesWritten(String store, @Nullable Connection wal) throws Exception {
        return wal != null ? OutboxCostBenchmark.walBytes(wal) : OutboxCostBenchmark.bytesWritten(store);
    }

    private static void measure(String store, @Nullable Connection wal, List<Side> sides, int writes, int rounds,
            int drain) throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int k = sides.size();
        List<List<double[]>> samples = new ArrayList<>(); // per side: {wall, cpu, bytes, wall ratio, cpu ratio}
        for (int i = 0; i < k; i++) {
            samples.add(new ArrayList<>());
        }
        for (int round = 0; round <= rounds; round++) {
            double[][] block = new double[k][];
            for (int j = 0; j < k; j++) {
                int i = ((round % 2 == 0 ? j : k - 1 - j) + round) % k; // rotated, and reversed every other round
                Side side = sides.get(i);
                long wall = 0;
                long cpu = 0;
                long bytes = 0;
                for (int done = 0; done < writes;) { // every side alike, drained or not
                    int count = drain > 0 ? Math.min(writes - done, drain - side.pending()) : writes - done;
                    long bytesStart = bytesWritten(store, wal);
                    long serverStart = OutboxCostRounds.cpuNanos(side.server);
                    long cpuStart = threads.getCurrentThreadCpuTime();
                    long start = System.nanoTime();
                    for (int w = 0; w < count; w++) {
                        side.stepWrite();
                    }
                    wall += System.nanoTime() - start;
                    cpu += threads.getCurrentThreadCpuTime() - cpuStart + OutboxCostRounds.cpuNanos(side.server)
                            - serverStart;
                    bytes += bytesWritten(store, wal) - bytesStart;
                    done += count;
                    if (drain > 0 && side.pending() >= drain) { // as a relay would, outside the timed span
                        side.drain();
                    }
                }
                block[i] = new double[]{wall / 1e3 / writes, cpu / 1e3 / writes, (double) bytes / writes};
            }
            if (round == 0) {
                continue;
            }
            StringBuilder line = new StringBuilder(store + " round " + round + ", µs per write (wall / CPU):");
            for (int i = 0; i < k; i++) {
                double[] b = block[i];
                samples.get(i).add(new double[]{b[0], b[1], b[2], b[0] / block[0][0], b[1] / block[0][1]});
                line.append(String.format(" %s %.0f / %.0f", sides.get(i).shape.name(), b[0], b[1]));
            }
            System.out.println(line);
        }
        System.out.printf("%s, medians over %d rounds of %d writes%s: shape, µs per write (wall, CPU), bytes per"
                + " write, ratio to none (wall, CPU)%n", store, rounds, writes,
                drain > 0
                        ? ", pending columns drained every " + drain + " writes"
                        : ", nothing drained");
        for (int i = 0; i < k; i++) {
            List<double[]> s = samples.get(i);
            System.out.printf("  %-11s %7.0f %7.0f %7.0f   %.2f %.2f%n", sides.get(i).shape.name(), median(s, 0),
                    median(s, 1), median(s, 2), median(s, 3), median(s, 4));
        }
    }

    private static double median(List<double[]> samples, int field) {
        return OutboxCostRounds.median(samples.stream().map(s -> s[field]).toList());
    }
}
