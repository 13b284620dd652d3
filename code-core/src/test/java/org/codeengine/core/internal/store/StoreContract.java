package org.codeengine.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.StoreException;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.experts.Vote;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.spi.EventTransport;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.core.internal.events.CloudEventJson;
import org.codeengine.core.internal.events.LocalTransport;
import org.codeengine.core.internal.events.OutboxRelay;
import org.codeengine.core.internal.experts.ReliabilityBook;
import org.codeengine.core.internal.experts.ReliabilityStrategy;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What every database under CODE's store must do; one subclass per database. */
abstract class StoreContract {
    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00.123456789Z");

    protected final TestClock clock = new TestClock(T0);
    private final List<JdbcStore> opened = new ArrayList<>();

    /** {@return a configuration for a database (or schema) no other test uses} */
    protected abstract StoreConfig freshConfig();

    protected abstract StoreProvider provider();

    /** {@return whether {@code table} exists where {@code config} keeps CODE's tables} */
    protected abstract boolean tableExists(Connection connection, StoreConfig config, String table) throws Exception;

    protected JdbcStore open(StoreConfig config, String... extraLocations) {
        List<String> locations = new ArrayList<>(List.of(JdbcStore.MIGRATIONS));
        locations.addAll(List.of(extraLocations));
        JdbcStore store = JdbcStore.open(config, provider(), clock, null, locations);
        opened.add(store);
        return store;
    }

    /** Opens as a process that only reads: the migrator runs only when the store is not at the current schema. */
    protected JdbcStore openForReading(StoreConfig config) {
        JdbcStore store = JdbcStore.open(config, provider(), clock, null, List.of(JdbcStore.MIGRATIONS), true);
        opened.add(store);
        return store;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(JdbcStore::close);
    }

    private static RunRecord run(String id, RunState state, Instant at) {
        return new RunRecord(id, "shop", "dev", state, "{\"services\":[]}", at, at, null, null);
    }

    @Test
    void open_migratesAnEmptyDatabaseToTheCurrentSchema() {
        JdbcStore store = open(freshConfig());
        assertThat(store.schemaVersion()).isEqualTo("14");
        assertThat(store.provider()).isEqualTo(provider().name());
    }

    @Test
    void runs_areCreatedFoundListedAndMovedOnlyFromTheExpectedState() {
        JdbcStore store = open(freshConfig());
        store.runs().create(run("r1", RunState.PENDING, T0));
        store.runs().create(run("r2", RunState.PENDING, T0.plusSeconds(1)));

        assertThat(store.runs().find("r1")).get().satisfies(r -> {
            assertThat(r.state()).isEqualTo(RunState.PENDING);
            assertThat(r.createdAt()).isEqualTo(Sql.truncate(T0));
            assertThat(r.spec()).isEqualTo("{\"services\":[]}");
        });
        assertThat(store.runs().find("nope")).isEmpty();
        assertThat(store.runs().list(10)).extracting(RunRecord::runId).containsExactly("r2", "r1");

        assertThat(store.runs().transition("r1", RunState.PENDING, RunState.RUNNING, T0)).isTrue();
        assertThat(store.runs().transition("r1", RunState.PENDING, RunState.FAILED, T0)).isFalse();
        assertThat(store.runs().find("r1").orElseThrow().state()).isEqualTo(RunState.RUNNING);
        assertThatThrownBy(() -> store.runs().create(run("r1", RunState.PENDING, T0)))
                .isInstanceOf(StoreException.class).hasMessageContaining("creating run r1");
    }

    private static CloudEvent event(String id, String subject) {
        return new CloudEvent(id, "/code/test", CloudEvent.STEP_STATE_CHANGED, subject, T0.plusNanos(id.length()),
                Map.of("note", "quote \" and\nline " + id));
    }

    @Test
    void stateChanges_writeTheirEventsWithThem_inOrder_andNoneForAChangeThatDidNotHappen() {
        JdbcStore store = open(freshConfig());
        Instant until = T0.plusSeconds(3600);
        for (String id : List.of("a", "b")) {
            store.runs().create(new RunRecord(id, "shop-" + id, "dev", RunState.RUNNING, "{}", T0, T0, "host-" + id,
                    until),
                    List.of(new StepRecord(id, "api", StepState.PENDING, 0, null, null, Map.of(), null),
                            new StepRecord(id, "web", StepState.PENDING, 0, null, null, Map.of(), null)));
        }
        StepRecord aApi = new StepRecord("a", "api", StepState.STARTING, 1, T0, null, Map.of("pid", "1"), null);
        StepRecord aWeb = new StepRecord("a", "web", StepState.STARTING, 1, T0, null, Map.of(), null);
        StepRecord bApi = new StepRecord("b", "api", StepState.STARTING, 1, T0, null, Map.of(), null);
        StepRecord aNone = new StepRecord("a", "db", StepState.STARTING, 1, T0, null, Map.of(), null);

        boolean[] written = store.runs().updateSteps(List.of(aApi, bApi, aWeb, aNone), List.of(List.of(event("e1",
                "a"), event("e2", "a")), List.of(event("lost-lease", "b")), List.of(), List.of(
                        event("no-step",
                                "a"))),
                "host-a");
        assertThat(written).containsExactly(true, false, true, false);
        assertThat(store.runs().updateStep(new StepRecord("a", "web", StepState.HEALTHY, 1, T0, T0, Map.of(), null),
                null, List.of(event("e3", "a")))).isTrue();
        assertThat(store.runs().transition("a", RunState.RUNNING, RunState.SUCCEEDED, T0, "host-a", List.of(event(
                "e4", "a"), event("e5", "a")))).isTrue();
        assertThat(store.runs().transition("a", RunState.RUNNING, RunState.FAILED, T0, "host-a", List.of(event(
                "not-moved", "a")))).isFalse();
        assertThat(store.runs().transition("b", RunState.RUNNING, RunState.FAILED, T0, "host-a", List.of(event(
                "not-owner", "b")))).isFalse();

        List<Outbox.Row> rows = store.outbox().after(null, 100);
        assertThat(rows).extracting(Outbox.Row::id).containsExactly("e1", "e2", "e3", "e4", "e5");
        assertThat(rows).allSatisfy(r -> assertThat(r.sent()).isFalse());
        assertThat(org.codeengine.core.internal.events.CloudEventJson.read(rows.getFirst().json())).isEqualTo(event(
                "e1", "a"));
        assertThat(store.runs().steps("a")).extracting(StepRecord::state).containsExactly(StepState.STARTING,
                StepState.HEALTHY);
        assertThat(store.runs().steps("b")).extracting(StepRecord::state).containsOnly(StepState.PENDING);
    }

    @Test
    void outboxSeqs_keepGrowing_acrossAReopen_andTheOutboxSeqCacheOfTheDatabase() throws Exception {
        StoreConfig config = freshConfig();
        JdbcStore first = open(config);
        first.outbox().append(List.of(event("before-1", "a"), event("before-2", "a")));
        first.close();
        JdbcStore second = open(config);
        second.outbox().append(List.of(event("after", "a")));
        List<Outbox.Row> rows = second.outbox().unsent(10);
        assertThat(rows).extracting(Outbox.Row::id).containsExactly("before-1", "before-2", "after");
        assertThat(rows.get(2).seq()).isGreaterThan(rows.get(1).seq());
        try (Connection c = second.dataSource().getConnection()) {
            assertThat(outboxSeqCache(c)).isEqualTo(JdbcStore.placeholders(config.jdbcUrl()).get("outbox_seq_cache"));
        }
    }

    /** {@return how many seqs of the outbox the database hands out between writing its counter down, as text} */
    protected abstract String outboxSeqCache(Connection connection) throws Exception;

    /** {@return the first column of the one row a query gives, as text} */
    protected static String onlyValue(Connection connection, String query) throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery(query)) {
            assertThat(r.next()).as("a row of %s", query).isTrue();
            return r.getString(1);
        }
    }

    @Test
    @SuppressWarnings("try") // the consumer and the bus are held open by try-with-resources
    void relay_publishesAnEventWhoseTransactionCommitsLate_thoughALaterSeqWasPublishedBeforeIt() throws Exception {
        JdbcStore store = open(freshConfig());
        LinkedBlockingQueue<String> delivered = new LinkedBlockingQueue<>();
        try (LocalTransport bus = new LocalTransport();
                EventTransport.Consumer consumer = bus.consume("g", "c", true, m -> delivered.add(m.id()));
                OutboxRelay relay = new OutboxRelay(store.outbox(), store.leases(), bus, "host-a", clock,
                        OutboxRelay.Settings.DEFAULTS, new SimpleMeterRegistry());
                Connection a = store.dataSource().getConnection();
                Connection b = store.dataSource().getConnection()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            Outbox.insert(a, List.of(event("late", "a"))); // A takes its seq first and commits last
            Outbox.insert(b, List.of(event("early", "b")));
            b.commit();

            assertThat(relay.relayOnce()).isEqualTo(1);
            assertThat(delivered.poll(10, TimeUnit.SECONDS)).isEqualTo("early");
            a.commit();
            assertThat(relay.relayOnce()).as("the late commit's event").isEqualTo(1);
            assertThat(delivered.poll(10, TimeUnit.SECONDS)).isEqualTo("late");
            assertThat(relay.relayOnce()).isZero();
        }
        assertThat(store.outbox().unsentCount()).isZero();
        List<Outbox.Row> history = store.outbox().after(null, 10);
        assertThat(history).extracting(Outbox.Row::id).containsExactly("early", "late");
        assertThat(history.get(1).seq()).isGreaterThan(history.get(0).seq());
        assertThat(history).allSatisfy(r -> assertThat(r.sent()).isTrue());
    }

    @Test
    void history_readsOnFromAnEventInTheHistoryOrInTheQueue_acrossBoth() {
        JdbcStore store = open(freshConfig());
        store.outbox().append(List.of(event("h1", "a"), event("h2", "a"), event("h3", "a")));
        store.outbox().published(store.outbox().unsent(2).stream().map(Outbox.Row::seq).toList(), T0);
        store.outbox().append(List.of(event("q1", "a"), event("q2", "a")));

        assertThat(store.outbox().unsent(10)).extracting(Outbox.Row::id).containsExactly("h3", "q1", "q2");
        assertThat(store.outbox().after(null, 10)).extracting(Outbox.Row::id, Outbox.Row::sent).containsExactly(tuple(
                "h1", true), tuple("h2", true), tuple("h3", false), tuple("q1", false), tuple("q2", false));
        assertThat(store.outbox().after(null, 2)).extracting(Outbox.Row::id).containsExactly("q1", "q2");
        assertThat(store.outbox().after(null, 4)).extracting(Outbox.Row::id).containsExactly("h2", "h3", "q1", "q2");
        assertThat(store.outbox().after("h1", 10)).extracting(Outbox.Row::id).containsExactly("h2", "h3", "q1", "q2");
        assertThat(store.outbox().after("h1", 2)).extracting(Outbox.Row::id).containsExactly("h2", "h3");
        assertThat(store.outbox().after("h2", 10)).extracting(Outbox.Row::id).containsExactly("h3", "q1", "q2");
        assertThat(store.outbox().after("h3", 10)).extracting(Outbox.Row::id).containsExactly("q1", "q2");
        assertThat(store.outbox().after("q2", 10)).isEmpty();
        assertThatThrownBy(() -> store.outbox().after("unknown", 10)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("afterId: no event unknown");
        // a reader that saw h3 in the queue reads on from it after the relay moved it
        store.outbox().published(store.outbox().unsent(1).stream().map(Outbox.Row::seq).toList(), T0);
        assertThat(store.outbox().after("h3", 10)).extracting(Outbox.Row::id, Outbox.Row::sent).containsExactly(
                tuple("q1", false), tuple("q2", false));
        assertThat(store.outbox().published(List.of(Long.MAX_VALUE), T0)).as("an event no longer queued").isZero();
    }

    /** Writes the events e0, e1, … e(count − 1) and moves them into the history, as the relay would. */
    private static void publishEvents(JdbcStore store, int count) {
        List<CloudEvent> events = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            events.add(event("e" + i, "a"));
        }
        store.outbox().append(events);
        store.outbox().published(store.outbox().unsent(count).stream().map(Outbox.Row::seq).toList(), T0);
    }

    @Test
    void history_readsOnFromAnEventFurtherBackThanTheRecentRowsALookupWalks() {
        JdbcStore store = open(freshConfig());
        publishEvents(store, Outbox.RECENT + 3);
        store.outbox().append(List.of(event("queued", "a")));

        assertThat(store.outbox().after("e0", 3)).extracting(Outbox.Row::id).containsExactly("e1", "e2", "e3");
        assertThat(store.outbox().after("e" + (Outbox.RECENT + 1), 3)).extracting(Outbox.Row::id).containsExactly("e"
                + (Outbox.RECENT + 2), "queued");
        assertThatThrownBy(() -> store.outbox().after("unknown", 3)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void history_aReaderPagingThroughOldHistory_goesOnFromItsPages_andIsToldWhenItsPlaceWasPruned() {
        JdbcStore store = open(freshConfig());
        publishEvents(store, Outbox.RECENT + 20);
        // page by page from the start: each page goes on from the last event of the one before, wherever it is
        List<String> read = new ArrayList<>();
        String after = "e0";
        for (int page = 0; page < 6; page++) {
            List<Outbox.Row> rows = store.outbox().after(after, 3);
            rows.forEach(r -> read.add(r.id()));
            after = rows.getLast().id();
        }
        assertThat(read).containsExactly("e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "e10", "e11", "e12",
                "e13", "e14", "e15", "e16", "e17", "e18");
        // the reader's place goes: it is told, not left reading nothing
        assertThat(store.outbox().prune(T0.plusSeconds(1), 30)).isEqualTo(30);
        String lost = after;
        assertThatThrownBy(() -> store.outbox().after(lost, 3)).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("e18").hasMessageContaining("pruned");
        assertThat(store.outbox().after("e30", 2)).extracting(Outbox.Row::id).containsExactly("e31", "e32");
    }

    @Test
    void prune_deletesFromTheHistoryWhatWasPublishedBeforeTheCutoff_oldestFirst_inBatches_butNeverTheNewest() {
        JdbcStore store = open(freshConfig());
        for (int day = 0; day < 3; day++) {
            store.outbox().append(List.of(event("d" + day + "a", "a"), event("d" + day + "b", "a")));
            store.outbox().published(store.outbox().unsent(10).stream().map(Outbox.Row::seq).toList(), T0.plus(
                    Duration.ofDays(day)));
        }
        store.outbox().append(List.of(event("queued", "a")));

        assertThat(store.outbox().prune(T0.plus(Duration.ofDays(2)), 3)).isEqualTo(3);
        assertThat(store.outbox().after(null, 10)).extracting(Outbox.Row::id).containsExactly("d1b", "d2a", "d2b",
                "queued");
        assertThat(store.outbox().prune(T0.plus(Duration.ofDays(2)), 3)).isEqualTo(1);
        assertThat(store.outbox().prune(T0.plus(Duration.ofDays(2)), 3)).isZero();
        assertThat(store.outbox().prune(T0.plus(Duration.ofDays(30)), 10)).as("never what is unsent, never the newest")
                .isEqualTo(1);
        assertThat(store.outbox().after(null, 10)).extracting(Outbox.Row::id).containsExactly("d2b", "queued");
        assertThat(store.outbox().after("d2b", 10)).as("a reader on the newest event keeps its place").extracting(
                Outbox.Row::id).containsExactly("queued");
    }

    @Test
    @SuppressWarnings("try") // the consumer and the bus are held open by try-with-resources
    void relay_prunesTheHistoryOlderThanTheRetention() {
        JdbcStore store = open(freshConfig());
        try (LocalTransport bus = new LocalTransport();
                OutboxRelay relay = new OutboxRelay(store.outbox(), store.leases(), bus, "host-a", clock,
                        OutboxRelay.Settings.DEFAULTS.withRetention(Duration.ofDays(7)), new SimpleMeterRegistry())) {
            store.outbox().append(List.of(event("old", "a")));
            assertThat(relay.relayOnce()).isEqualTo(1);
            clock.advance(Duration.ofDays(6));
            store.outbox().append(List.of(event("new", "a")));
            assertThat(relay.relayOnce()).isEqualTo(1);
            assertThat(relay.pruneOnce()).isZero();
            clock.advance(Duration.ofDays(1).plusSeconds(1));
            assertThat(relay.pruneOnce()).isEqualTo(1);
            assertThat(store.outbox().after(null, 10)).extracting(Outbox.Row::id).containsExactly("new");
        }
    }

    /** {@return a connection to a store migrated up to {@code version} only, in its schema} */
    private static Connection migratedTo(StoreConfig config, String version) throws Exception {
        Flyway.configure(JdbcStore.class.getClassLoader()).dataSource(config.jdbcUrl(), config.username(), null)
                .schemas(config.schemaName().map(n -> new String[]{n}).orElse(new String[0])).locations(
                        JdbcStore.MIGRATIONS)
                .table(SchemaHistory.TABLE).target(version).load().migrate();
        Connection c = DriverManager.getConnection(config.jdbcUrl(), config.username(), null);
        if (config.schema() != null) {
            c.setSchema(config.schema());
        }
        return c;
    }

    @Test
    void migrationV11_movesPublishedEventsIntoTheHistory_andQueuesTheUnsentOnes_inOrder() throws Exception {
        StoreConfig config = freshConfig();
        try (Connection c = migratedTo(config, "10")) {
            try (PreparedStatement s = c.prepareStatement("insert into code_outbox (event_id, type, subject, at,"
                    + " body, sent_at) values (?, ?, ?, ?, ?, ?)")) {
                // V8's rows: sent and unsent interleaved, as a relay that fell behind a crash leaves them
                for (String id : List.of("s1", "u1", "s2", "u2")) {
                    CloudEvent e = event(id, "a");
                    s.setString(1, id);
                    s.setString(2, e.type());
                    s.setString(3, e.subject());
                    Sql.setInstant(s, 4, e.time());
                    s.setString(5, CloudEventJson.write(e));
                    Sql.setInstant(s, 6, id.startsWith("s") ? T0 : null);
                    s.executeUpdate();
                }
            }
        }

        JdbcStore store = open(config);

        assertThat(store.schemaVersion()).isEqualTo("14");
        assertThat(store.outbox().unsent(10)).extracting(Outbox.Row::id).containsExactly("u1", "u2");
        assertThat(store.outbox().after(null, 10)).extracting(Outbox.Row::id, Outbox.Row::sent).containsExactly(tuple(
                "s1", true), tuple("s2", true), tuple("u1", false), tuple("u2", false));
        assertThat(CloudEventJson.read(store.outbox().after("s2", 1).getFirst().json())).isEqualTo(event("u1", "a"));
        store.outbox().append(List.of(event("n1", "a")));
        store.outbox().published(store.outbox().unsent(10).stream().map(Outbox.Row::seq).toList(), T0);
        assertThat(store.outbox().after("s1", 10)).extracting(Outbox.Row::id).containsExactly("s2", "u1", "u2",
                "n1");
    }

    @Test
    void createUnlessBusy_refusesARunOfADeploymentWhileAnotherIsUnfinished_namingIt_andTakesTheNextOnceItEnded() {
        JdbcStore store = open(freshConfig());
        assertThat(store.runs().createUnlessBusy(run("r1", RunState.PENDING, T0), List.of())).isEmpty();
        assertThat(store.runs().createUnlessBusy(run("r2", RunState.PENDING, T0.plusSeconds(1)), List.of()))
                .contains("r1");
        assertThat(store.runs().createUnlessBusy(new RunRecord("o1", "other", "dev", RunState.PENDING, "{}", T0, T0,
                null, null), List.of())).as("another deployment").isEmpty();
        assertThat(store.runs().createUnlessBusy(new RunRecord("p1", "shop", "prod", RunState.PENDING, "{}", T0, T0,
                null, null), List.of())).as("another environment").isEmpty();
        assertThat(store.runs().find("r2")).isEmpty();

        assertThat(store.runs().transition("r1", RunState.PENDING, RunState.SUCCEEDED, T0)).isTrue();
        assertThat(store.runs().createUnlessBusy(run("r2", RunState.PENDING, T0.plusSeconds(1)), List.of()))
                .isEmpty();
        assertThat(store.runs().find("r2")).isPresent();
    }

    @Test
    void createUnlessBusy_fromManyThreadsAtOnce_createsExactlyOneRun() throws Exception {
        JdbcStore store = open(freshConfig());
        List<Callable<Optional<String>>> creates = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            String id = "c" + i;
            creates.add(() -> store.runs().createUnlessBusy(run(id, RunState.PENDING, T0), List.of()));
        }
        List<Optional<String>> outcomes = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Optional<String>> f : threads.invokeAll(creates)) {
                outcomes.add(f.get());
            }
        }

        assertThat(outcomes).filteredOn(Optional::isEmpty).hasSize(1);
        String created = "c" + outcomes.indexOf(Optional.empty());
        assertThat(outcomes).filteredOn(Optional::isPresent).hasSize(15).allSatisfy(o -> assertThat(o).contains(
                created));
        assertThat(store.runs().list(100)).extracting(RunRecord::runId).containsExactly(created);
    }

    @Test
    void steps_keepOneRecordPerServiceInPlanOrder_withOutputsForUndo() {
        JdbcStore store = open(freshConfig());
        store.runs().create(run("r1", RunState.RUNNING, T0));
        store.runs().saveStep(new StepRecord("r1", "db", StepState.STARTING, 1, T0, null, Map.of(), null), 0);
        store.runs().saveStep(new StepRecord("r1", "api", StepState.PENDING, 0, null, null, Map.of(), null), 1);
        store.runs().saveStep(new StepRecord("r1", "db", StepState.HEALTHY, 2, T0, T0.plusSeconds(3),
                Map.of("pid", "4242"), "first try timed out"), 0);

        List<StepRecord> steps = store.runs().steps("r1");
        assertThat(steps).extracting(StepRecord::service).containsExactly("db", "api");
        assertThat(steps.getFirst()).satisfies(s -> {
            assertThat(s.state()).isEqualTo(StepState.HEALTHY);
            assertThat(s.attempt()).isEqualTo(2);
            assertThat(s.outputs()).containsEntry("pid", "4242");
            assertThat(s.finishedAt()).isEqualTo(Sql.truncate(T0.plusSeconds(3)));
            assertThat(s.lastError()).contains("first try timed out");
        });
    }

    @Test
    void claimUnfinished_givesEachRunToOneProcess_whenTwoClaimAtOnce() throws Exception {
        StoreConfig config = freshConfig();
        JdbcStore first = open(config);
        JdbcStore second = open(config);
        for (int i = 0; i < 40; i++) {
            first.runs().create(run("run-" + i, i % 4 == 0 ? RunState.SUCCEEDED : RunState.RUNNING,
                    T0.plusMillis(i)));
        }
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int round = 0; round < 10; round++) {
                Future<List<String>> fa = pool.submit(() -> first.runs().claimUnfinished("host-a", T0,
                        Duration.ofMinutes(1), 3));
                Future<List<String>> fb = pool.submit(() -> second.runs().claimUnfinished("host-b", T0,
                        Duration.ofMinutes(1), 3));
                a.addAll(fa.get());
                b.addAll(fb.get());
            }
        }
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        assertThat(both).as("runs claimed by both processes").isEmpty();
        assertThat(a.size() + b.size()).isEqualTo(30); // the 10 succeeded runs are never claimed
        assertThat(first.runs().find("run-1").orElseThrow().leaseOwner()).isIn("host-a", "host-b");

        assertThat(first.runs().claimUnfinished("host-c", T0.plusSeconds(30), Duration.ofMinutes(1), 100))
                .as("leases still held").isEmpty();
        assertThat(first.runs().claimUnfinished("host-c", T0.plusSeconds(61), Duration.ofMinutes(1), 100))
                .as("leases expired").hasSize(30);
    }

    @Test
    void audit_chainsEntries_andVerifyFindsTheFirstTamperedEntry() throws Exception {
        JdbcStore store = open(freshConfig());
        AuditEntry first = store.audit().append("alice", "deploy:run:dev", "r1", Outcome.SUCCESS, "");
        clock.advance(Duration.ofSeconds(1));
        AuditEntry second = store.audit().append("bob", "tool:call:search", "search", Outcome.DENIED, "no grant");
        store.audit().append("alice", "expert:query:*", "", Outcome.FAILURE, "timeout");

        assertThat(first.sequence()).isEqualTo(1);
        assertThat(first.previousHash()).isEqualTo(AuditLog.GENESIS);
        assertThat(second.previousHash()).isEqualTo(first.hash());
        assertThat(store.audit().read(1, 10)).containsExactly(first, second,
                store.audit().read(3, 1).getFirst());
        assertThat(store.audit().verify().intact()).isTrue();
        assertThat(store.audit().verify().entries()).isEqualTo(3);

        try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("update code_audit set outcome = 'SUCCESS' where seq = 2");
        }
        AuditLog.Verification broken = store.audit().verify();
        assertThat(broken.intact()).isFalse();
        assertThat(broken.firstBroken()).isEqualTo(2L);
        assertThat(broken.reason()).contains("does not match its hash");
    }

    @Test
    void audit_appendsFromTwoProcessesAtOnce_formOneUnbrokenChain() throws Exception {
        StoreConfig config = freshConfig();
        JdbcStore first = open(config);
        JdbcStore second = open(config);
        List<Callable<Void>> writers = new ArrayList<>();
        for (JdbcStore store : List.of(first, second, first, second)) {
            writers.add(() -> {
                for (int i = 0; i < 25; i++) {
                    store.audit().append("svc", "tool:call:x", "x", Outcome.SUCCESS, "n" + i);
                }
                return null;
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (Future<Void> f : pool.invokeAll(writers)) {
                f.get();
            }
        }
        AuditLog.Verification result = first.audit().verify();
        assertThat(result.intact()).as(result.reason()).isTrue();
        assertThat(result.entries()).isEqualTo(100);
    }

    @Test
    void expertStats_countEveryConcurrentReport() throws Exception {
        JdbcStore store = open(freshConfig());
        List<Callable<Void>> reporters = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            reporters.add(() -> {
                for (int i = 0; i < 50; i++) {
                    store.expertStats().record("openai/gpt-4o-mini", List.of("all", "support:alone"), i % 5 != 0,
                            T0);
                }
                return null;
            });
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (Future<Void> f : pool.invokeAll(reporters)) {
                f.get();
            }
        }
        assertThat(store.expertStats().all()).extracting(ExpertStats::signal, ExpertStats::answered,
                ExpertStats::correct).containsExactly(tuple("all", 200L, 160L), tuple("support:alone", 200L, 160L));
    }

    @Test
    void learnedWeights_ofTwoHostsOnOneStore_areOneHostsFit_neverBothHostsChangesAdded() {
        StoreConfig config = freshConfig();
        JdbcStore hostA = open(config);
        JdbcStore hostB = open(config);
        ReliabilityBook bookA = new ReliabilityBook(hostA.expertStats(), clock);
        ReliabilityBook bookB = new ReliabilityBook(hostB.expertStats(), clock);
        ReliabilityStrategy circleA = new ReliabilityStrategy();
        ReliabilityStrategy circleB = new ReliabilityStrategy();
        Random random = new Random(5);
        for (int q = 0; q < 20; q++) { // the hosts take turns; each refits on each of its first twenty reports
            String truth = Integer.toString(q);
            List<Vote> votes = new ArrayList<>();
            for (String expert : List.of("a", "b", "c")) {
                String answer = random.nextDouble() < (expert.equals("a") ? 0.8 : 0.4)
                        ? truth
                        : Integer.toString(100 + random.nextInt(5));
                votes.add(new Vote(expert, "test", answer, "{\"reasoning\": \"so " + answer + ".\", \"answer\": \""
                        + answer + "\"}", 1));
            }
            (q % 2 == 0 ? circleA : circleB).judge(votes, truth, q % 2 == 0 ? bookA : bookB);
        }

        Map<String, Long> stored = new TreeMap<>();
        Map<String, Long> lastFit = new TreeMap<>();
        long reports = 0;
        for (ExpertStats s : hostA.expertStats().all()) {
            if (s.signal().startsWith("learned:")) {
                stored.put(s.signal(), s.answered());
                lastFit.put(s.signal(), bookB.of(s.expertId(), s.signal()).answered());
            }
            reports += s.signal().equals("reports") ? s.answered() : 0;
        }
        assertThat(stored).as("the weights of the fit host B wrote last, as it holds them").isEqualTo(lastFit)
                .containsEntry("learned:version", 20L).hasSizeGreaterThan(10);
        assertThat(stored.entrySet().stream().filter(w -> !w.getKey().equals("learned:version") && w.getValue() != 0))
                .as("weights the fits moved").hasSizeGreaterThan(3);
        assertThat(reports).as("counts still add up over the hosts").isEqualTo(20);
    }

    @Test
    void leases_haveOneOwnerUntilTheyExpireOrAreReleased() {
        JdbcStore store = open(freshConfig());
        Duration ttl = Duration.ofSeconds(30);
        assertThat(store.leases().acquire("scheduler", "host-a", clock.instant(), ttl)).isTrue();
        assertThat(store.leases().acquire("scheduler", "host-b", clock.instant(), ttl)).isFalse();
        assertThat(store.leases().acquire("scheduler", "host-a", clock.instant().plusSeconds(10), ttl))
                .as("renewal by the owner").isTrue();
        assertThat(store.leases().acquire("scheduler", "host-b", clock.instant().plusSeconds(35), ttl))
                .as("renewed lease still held at +35s").isFalse();
        assertThat(store.leases().holder("scheduler", clock.instant().plusSeconds(35))).get()
                .extracting(Lease::owner).isEqualTo("host-a");
        assertThat(store.leases().acquire("scheduler", "host-b", clock.instant().plusSeconds(41), ttl))
                .as("expired lease").isTrue();
        assertThat(store.leases().release("scheduler", "host-a")).isFalse();
        assertThat(store.leases().release("scheduler", "host-b")).isTrue();
        assertThat(store.leases().holder("scheduler", clock.instant())).isEmpty();
    }

    @Test
    void agentJournal_insertsTheRowsOfANewTurn_andUpdatesTheAskedAndStartedRowsAnOlderJournalHolds() throws Exception {
        StoreConfig config = freshConfig();
        JdbcStore store = open(config);
        AgentRunRepository journal = store.agentRuns();
        journal.create("r1", "a", "alice", "{}", "task", "host-a", T0.plusSeconds(60), T0, List.of());
        try (Connection c = store.dataSource().getConnection(); Statement s = c.createStatement()) {
            // what an older version journaled before turn 1's reply and before its call ran
            s.executeUpdate("insert into code_agent_turn (run_id, turn, state) values ('r1', 1, 'asked')");
            s.executeUpdate("insert into code_agent_call (run_id, turn, position, call_id, tool, arguments, state)"
                    + " values ('r1', 1, 0, 'c1', 'echo', '{}', 'started')");
        }
        var ended = new AgentRunRepository.CallRow(1, 0, "c1", "echo", "{}", "hello", "OK");

        journal.write("r1", "host-a", new AgentRunRepository.Entry(1, "reply 1", List.of(ended), 1500, null, List
                .of(), 1), T0);
        journal.write("r1", "host-a", new AgentRunRepository.Entry(2, "reply 2", List.of(
                new AgentRunRepository.CallRow(2, 0, "c2", "echo", "{}", "again", "OK")), 2500, null, List.of(), 1),
                T0);

        var written = journal.journal("r1");
        assertThat(written.turns()).containsExactly(new AgentRunRepository.TurnRow(1, "reply 1", 1500),
                new AgentRunRepository.TurnRow(2, "reply 2", 2500));
        assertThat(written.calls()).extracting(AgentRunRepository.CallRow::turn, AgentRunRepository.CallRow::result,
                AgentRunRepository.CallRow::status).containsExactly(tuple(1, "hello", "OK"), tuple(2, "again", "OK"));
        assertThatThrownBy(() -> journal.write("r1", "host-a", new AgentRunRepository.Entry(2, "reply 2 again", List
                .of(), 2600, null, List.of(), 0), T0)).as("a turn outside the journaled one is new: inserted, never"
                        + " overwritten")
                .isInstanceOf(StoreException.class);
        assertThat(journal.journal("r1").turns().get(1).reply()).isEqualTo("reply 2");
    }

    @Test
    void agentJournal_aReplysWrite_isFencedByTheLease_likeEveryWrite() {
        JdbcStore store = open(freshConfig());
        AgentRunRepository journal = store.agentRuns();
        journal.create("r1", "a", "alice", "{}", "task", "host-a", T0.plusSeconds(60), T0, List.of());
        assertThat(journal.claim("r1", "host-b", T0.plusSeconds(61), T0.plusSeconds(120), holder -> false, List.of()))
                .isTrue();

        assertThatThrownBy(() -> journal.write("r1", "host-a", new AgentRunRepository.Entry(1, "reply 1", List.of(),
                10, null, List.of(), 0), T0)).isInstanceOf(StoreException.class).hasMessageContaining(
                        "is not held by host-a");
        assertThat(journal.journal("r1").turns()).isEmpty();
        journal.write("r1", "host-b", new AgentRunRepository.Entry(1, "reply 1", List.of(), 10, null, List.of(), 0),
                T0);
        assertThat(journal.journal("r1").turns()).hasSize(1);
    }

    @Test
    void migrationV14_keepsTheJournalOfEveryRun() throws Exception {
        StoreConfig config = freshConfig();
        try (Connection c = migratedTo(config, "11")) {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("insert into code_agent_run (run_id, agent, principal, spec, task, state, elapsed_ms,"
                        + " created_at, updated_at) values ('r1', 'a', 'alice', '{}', 'task', 'running', 700,"
                        + " current_timestamp, current_timestamp)");
                s.executeUpdate("insert into code_agent_turn (run_id, turn, state, reply) values ('r1', 1, 'replied',"
                        + " 'reply 1'), ('r1', 2, 'asked', null)");
                s.executeUpdate("insert into code_agent_call (run_id, turn, position, call_id, tool, arguments,"
                        + " state, result, status) values ('r1', 1, 0, 'c1', 'echo', '{}', 'done', 'hello', 'OK')");
            }
        }

        JdbcStore store = open(config);

        assertThat(store.schemaVersion()).isEqualTo("14");
        var journal = store.agentRuns().journal("r1");
        assertThat(journal.turns()).containsExactly(new AgentRunRepository.TurnRow(1, "reply 1", 0),
                new AgentRunRepository.TurnRow(2, null, 0));
        assertThat(journal.calls()).containsExactly(new AgentRunRepository.CallRow(1, 0, "c1", "echo", "{}", "hello",
                "OK"));
        assertThat(store.agentRuns().find("r1")).get().extracting(AgentRunRepository.Run::elapsedMs).isEqualTo(700L);
    }

    @Test
    void open_refusesASchemaWrittenByANewerCode() {
        StoreConfig config = freshConfig();
        open(config, "classpath:store-test/future").close();

        assertThatThrownBy(() -> open(config)).isInstanceOf(StoreException.class)
                .hasMessageContaining("schema version 99").hasMessageContaining("newer CODE")
                .hasMessageContaining("knows versions up to 14");
    }

    @Test
    void openForReading_ofAStoreAtTheCurrentSchema_leavesTheMigratorAndItsChecksOut() throws Exception {
        StoreConfig config = freshConfig();
        JdbcStore migrated = open(config);
        try (Connection c = migrated.dataSource().getConnection(); Statement s = c.createStatement()) {
            // a change the migrator's validation catches, and a reader's one query of the history does not look at
            s.executeUpdate("update \"" + SchemaHistory.TABLE + "\" set \"checksum\" = \"checksum\" + 1 "
                    + "where \"version\" = '1'");
        }
        migrated.close();

        assertThat(openForReading(config).schemaVersion()).isEqualTo("14");
        assertThatThrownBy(() -> open(config)).as("a writer still runs the migrator").isInstanceOf(
                StoreException.class).hasMessageContaining("Validate failed");
    }

    @Test
    void openForReading_ofAnEmptyDatabase_migratesIt() throws Exception {
        StoreConfig config = freshConfig();

        JdbcStore store = openForReading(config);

        assertThat(store.schemaVersion()).isEqualTo("14");
        try (Connection c = store.dataSource().getConnection()) {
            assertThat(tableExists(c, config, "code_run")).isTrue();
        }
    }

    @Test
    void openForReading_refusesASchemaWrittenByANewerCode() {
        StoreConfig config = freshConfig();
        open(config, "classpath:store-test/future").close();

        assertThatThrownBy(() -> openForReading(config)).isInstanceOf(StoreException.class).hasMessageContaining(
                "schema version 99");
    }

    @Test
    void failedMigration_leavesAnExistingStoreAsItWas() throws Exception {
        StoreConfig config = freshConfig();
        JdbcStore before = open(config);
        before.runs().create(run("kept", RunState.SUCCEEDED, T0));
        before.close();

        assertThatThrownBy(() -> open(config, "classpath:store-test/broken")).isInstanceOf(StoreException.class)
                .hasMessageContaining("failed, and it was left at version 14");

        JdbcStore after = open(config);
        assertThat(after.schemaVersion()).isEqualTo("14");
        assertThat(after.runs().find("kept")).isPresent();
        try (Connection c = after.dataSource().getConnection()) {
            assertThat(tableExists(c, config, "code_extra")).as("table of the failed migration").isFalse();
        }
    }

    @Test
    void failedMigration_onAnEmptyDatabase_leavesNothingBehind() throws Exception {
        StoreConfig config = freshConfig();
        assertThatThrownBy(() -> open(config, "classpath:store-test/broken")).isInstanceOf(StoreException.class)
                .hasMessageContaining("failed, and it was left empty");

        JdbcStore after = open(config);
        assertThat(after.schemaVersion()).isEqualTo("14");
        assertThat(after.runs().list(10)).isEmpty();
        try (Connection c = after.dataSource().getConnection()) {
            assertThat(tableExists(c, config, "code_extra")).isFalse();
        }
    }

    @Test
    void auditAppends_fromTwoStoresOnOneDatabase_keepOneValidChain() {
        StoreConfig config = freshConfig();
        JdbcStore first = open(config);
        JdbcStore second = open(config);
        List<java.util.concurrent.CompletableFuture<org.codeengine.api.security.AuditEntry>> appends = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            appends.add(first.audit().appendAsync("a", "tool:call:x", "t" + i, AuditEntry.Outcome.SUCCESS, ""));
            appends.add(second.audit().appendAsync("b", "tool:call:y", "t" + i, AuditEntry.Outcome.SUCCESS, ""));
        }
        appends.forEach(java.util.concurrent.CompletableFuture::join);
        assertThat(first.audit().verify().intact()).isTrue();
        assertThat(first.audit().size()).isEqualTo(400);
        assertThat(appends.stream().map(f -> f.join().sequence()).distinct().count()).isEqualTo(400);
    }

    /** Shared by subclasses: looks a table up through JDBC metadata, in either letter case. */
    protected static boolean tableInSchema(Connection c, String schema, String table) throws Exception {
        for (String name : List.of(table, table.toUpperCase(java.util.Locale.ROOT))) {
            try (ResultSet rows = c.getMetaData().getTables(null, schema, name, null)) {
                if (rows.next()) {
                    return true;
                }
            }
        }
        return false;
    }
}
