package org.codeengine.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.codeengine.api.StoreException;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.jspecify.annotations.Nullable;
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
        sql.tx("creating run " + run.runId(), c -> insertRun(c, run));
    }

    private static int insertRun(Connection c, RunRecord run) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("insert into code_run (run_id, name, environment, state,"
                + " created_at, updated_at, lease_owner, lease_until) values (?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, run.runId());
            s.setString(2, run.name());
            s.setString(3, run.environment());
            s.setString(4, run.state().name());
            Sql.setInstant(s, 5, run.createdAt());
            Sql.setInstant(s, 6, run.updatedAt());
            s.setString(7, run.leaseOwner());
            Sql.setInstant(s, 8, run.leaseUntil());
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("insert into code_run_spec (run_id, spec) values (?, ?)")) {
            s.setString(1, run.runId());
            s.setString(2, run.spec());
            return s.executeUpdate();
        }
    }

    public Optional<RunRecord> find(String runId) {
        return sql.tx("reading run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "select r.*, s.spec from code_run r join code_run_spec s on s.run_id = r.run_id where r.run_id = ?")) {
                s.setString(1, runId);
                try (ResultSet rows = s.executeQuery()) {
                    return rows.next() ? Optional.of(run(rows)) : Optional.<RunRecord>empty();
                }
            }
        });
    }

    /** {@return the newest runs first} */
    public List<RunRecord> list(int limit) {
        return sql.tx("listing runs", c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "select r.*, '' as spec from code_run r order by created_at desc, run_id fetch first ? rows only")) {
                s.setInt(1, limit);
                return runs(s);
            }
        });
    }

    /** Moves a run from one state to another, only if it is still in the first; returns whether it moved. */
    public boolean transition(String runId, RunState expected, RunState next, Instant now) {
        return transition(runId, expected, next, now, null, List.of());
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

    /** {@return up to {@code limit} unfinished runs whose lease someone holds at {@code now}, oldest first, without spec} */
    public List<RunRecord> heldUnfinished(Instant now, int limit) {
        return sql.tx("listing held unfinished runs", c -> {
            try (PreparedStatement s = c.prepareStatement("select r.*, '' as spec from code_run r where state in "
                    + UNFINISHED + " and lease_owner is not null and lease_until >= ?"
                    + " order by created_at, run_id fetch first ? rows only")) {
                Sql.setInstant(s, 1, now);
                s.setInt(2, limit);
                return runs(s);
            }
        });
    }

    /** Inserts a run and its steps, the steps in the order given, in one transaction. */
    public void create(RunRecord run, List<StepRecord> steps) {
        sql.tx("creating run " + run.runId(), c -> insertRunAndSteps(c, run, steps));
    }

    private int insertRunAndSteps(Connection c, RunRecord run, List<StepRecord> steps) throws SQLException {
        List<String> outputs = steps.stream().map(step -> json.writeValueAsString(step.outputs())).toList();
        int inserted = insertRun(c, run);
        try (PreparedStatement s = c.prepareStatement("insert into code_step (state, attempt, started_at,"
                + " finished_at, outputs, error, position, run_id, service) values (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < steps.size(); i++) {
                StepRecord step = steps.get(i);
                bindStep(s, step, outputs.get(i));
                s.setInt(7, i);
                s.setString(8, step.runId());
                s.setString(9, step.service());
                s.addBatch();
            }
            s.executeBatch();
        }
        return inserted;
    }

    /**
     * Inserts a run and its steps like {@link #create(RunRecord, List)}, unless another run of the same deployment
     * (name and environment) is unfinished. Creates of one deployment are serialized on its row in
     * {@code code_deployment}, locked for the transaction, so that of two engines creating at once one sees the other's
     * run.
     *
     * @return empty if the run was created; otherwise the id of the unfinished run that kept it from being created
     */
    public Optional<String> createUnlessBusy(RunRecord run, List<StepRecord> steps) {
        String what = "creating run " + run.runId() + " of " + run.name() + " to " + run.environment();
        for (int attempt = 1;; attempt++) {
            Created created = sql.txRetrying(what, c -> {
                try (PreparedStatement s = c.prepareStatement(
                        "select name from code_deployment where name = ? and environment = ? for update")) {
                    s.setString(1, run.name());
                    s.setString(2, run.environment());
                    try (ResultSet rows = s.executeQuery()) {
                        if (!rows.next()) {
                            return new Created(false, null); // the deployment's first run: no lock row yet
                        }
                    }
                }
                try (PreparedStatement s = c.prepareStatement("select run_id from code_run where name = ?"
                        + " and environment = ? and state in " + UNFINISHED
                        + " order by created_at, run_id fetch first 1 rows only")) {
                    s.setString(1, run.name());
                    s.setString(2, run.environment());
                    try (ResultSet rows = s.executeQuery()) {
                        if (rows.next()) {
                            return new Created(true, rows.getString(1));
                        }
                    }
                }
                insertRunAndSteps(c, run, steps);
                return new Created(true, null);
            });
            if (created.locked()) {
                return Optional.ofNullable(created.busy());
            }
            if (attempt >= Sql.TRIES) {
                throw new StoreException(what + " failed: the lock row of the deployment cannot be created", null);
            }
            try {
                sql.tx(what, c -> {
                    try (PreparedStatement s = c.prepareStatement(
                            "insert into code_deployment (name, environment) values (?, ?)")) {
                        s.setString(1, run.name());
                        s.setString(2, run.environment());
                        return s.executeUpdate();
                    }
                });
            } catch (Sql.DuplicateKey raced) {
                // another engine created it meanwhile: lock it on the next try
            }
        }
    }

    /** What a create under the deployment's lock row found: whether the row was there, and the run in the way. */
    private record Created(boolean locked, @Nullable String busy) {}

    /**
     * Replaces a step's record, but only while {@code owner} holds the run's lease.
     *
     * @param owner the lease holder, or null to write whoever holds it
     * @return whether the step was written; false if another process holds the run now
     */
    public boolean updateStep(StepRecord step, @Nullable String owner) {
        return updateStep(step, owner, List.of());
    }

    /** Replaces a step's record like {@link #updateStep(StepRecord, String)}, with its events in the outbox. */
    public boolean updateStep(StepRecord step, @Nullable String owner, List<CloudEvent> events) {
        if (owner != null) {
            // the run's row locked while the step is written
            return updateSteps(List.of(step), List.of(events), owner)[0];
        }
        String outputs = json.writeValueAsString(step.outputs());
        return sql.tx("saving step", c -> reporting(c, UPDATE_STEP, s -> {
            bindStep(s, step, outputs);
            s.setString(7, step.runId());
            s.setString(8, step.service());
            return 8;
        }, events));
    }

    private static final String UPDATE_STEP = "update code_step set state = ?, attempt = ?, started_at = ?,"
            + " finished_at = ?, outputs = ?, error = ? where run_id = ? and service = ?";

    /** Binds an update's parameters and returns how many it bound. */
    @FunctionalInterface
    private interface Binder {
        int bind(PreparedStatement statement) throws SQLException;
    }

    /**
     * Runs an update and, if it wrote its row, writes the events it reports to the outbox: on PostgreSQL in the same
     * statement (no round trip of their own), elsewhere by an insert after it.
     *
     * @return whether the update wrote its row
     */
    private boolean reporting(Connection c, String update, Binder binder, List<CloudEvent> events)
            throws SQLException {
        boolean carried = sql.postgres() && !events.isEmpty();
        try (PreparedStatement s = c.prepareStatement(carried ? Outbox.carriedBy(update, events.size()) : update)) {
            int bound = binder.bind(s);
            if (carried) {
                Outbox.bindCarried(s, bound + 1, events);
                return s.executeUpdate() > 0;
            }
            boolean written = s.executeUpdate() == 1;
            if (written) {
                Outbox.insert(c, events);
            }
            return written;
        }
    }

    /**
     * Replaces the records of several steps in one transaction, each only while {@code owner} holds its run's lease.
     *
     * @return for each step, whether it was written
     */
    public boolean[] updateSteps(List<StepRecord> steps, String owner) {
        return updateSteps(steps, steps.stream().map(step -> List.<CloudEvent>of()).toList(), owner);
    }

    /**
     * Replaces the records of several steps like {@link #updateSteps(List, String)}, and writes to the outbox, in the
     * same transaction, the events of each step that was written.
     *
     * @param events for each step, the events its change reports
     * @return for each step, whether it was written
     */
    public boolean[] updateSteps(List<StepRecord> steps, List<List<CloudEvent>> events, String owner) {
        if (events.size() != steps.size()) {
            throw new IllegalArgumentException("events must have one list per step: " + events.size() + " for "
                    + steps.size() + " steps");
        }
        List<String> outputs = steps.stream().map(step -> json.writeValueAsString(step.outputs())).toList();
        return sql.txRetrying("saving " + steps.size() + " steps", c -> {
            // the lease is checked once per run, and the run's row stays locked, so no one takes it over meanwhile.
            // Rows are locked in run id order, the order renew() updates them in, so that the two never deadlock.
            Map<String, Boolean> held = new HashMap<>();
            try (PreparedStatement s = c.prepareStatement(
                    "select 1 from code_run where run_id = ? and lease_owner = ? for update")) {
                for (String runId : new TreeSet<>(steps.stream().map(StepRecord::runId).toList())) {
                    s.setString(1, runId);
                    s.setString(2, owner);
                    try (ResultSet rows = s.executeQuery()) {
                        held.put(runId, rows.next());
                    }
                }
            }
            boolean[] written = new boolean[steps.size()];
            // on PostgreSQL a step's events ride in its update's statement (Outbox.carriedBy), one statement per count
            // of events: a batch of each beside the batch of plain updates; elsewhere the events follow in one insert
            boolean carry = sql.postgres();
            Map<Integer, List<Integer>> batches = new TreeMap<>();
            for (int i = 0; i < steps.size(); i++) {
                if (held.get(steps.get(i).runId())) {
                    batches.computeIfAbsent(carry ? events.get(i).size() : 0, k -> new ArrayList<>()).add(i);
                }
            }
            for (Map.Entry<Integer, List<Integer>> batch : batches.entrySet()) {
                int carried = batch.getKey();
                List<Integer> batched = batch.getValue();
                try (PreparedStatement s = c.prepareStatement(carried > 0
                        ? Outbox.carriedBy(UPDATE_STEP, carried)
                        : UPDATE_STEP)) {
                    for (int i : batched) {
                        StepRecord step = steps.get(i);
                        bindStep(s, step, outputs.get(i));
                        s.setString(7, step.runId());
                        s.setString(8, step.service());
                        if (carried > 0) {
                            Outbox.bindCarried(s, 9, events.get(i));
                        }
                        s.addBatch();
                    }
                    int[] counts = s.executeBatch();
                    for (int k = 0; k < counts.length; k++) {
                        written[batched.get(k)] = carried > 0
                                ? counts[k] > 0 || counts[k] == Statement.SUCCESS_NO_INFO
                                : counts[k] == 1 || counts[k] == Statement.SUCCESS_NO_INFO;
                    }
                }
            }
            if (!carry) {
                List<CloudEvent> reported = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) {
                    if (written[i]) {
                        reported.addAll(events.get(i));
                    }
                }
                Outbox.insert(c, reported);
            }
            return written;
        });
    }

    /**
     * Moves a run from one state to another, only if it is still in the first and {@code owner} holds its lease.
     *
     * @param owner the lease holder, or null to move it whoever holds it
     * @return whether it moved
     */
    public boolean transition(String runId, RunState expected, RunState next, Instant now, @Nullable String owner) {
        return transition(runId, expected, next, now, owner, List.of());
    }

    /**
     * Moves a run like {@link #transition(String, RunState, RunState, Instant, String)} and, if it moved, writes the
     * events that report it to the outbox in the same transaction.
     */
    public boolean transition(String runId, RunState expected, RunState next, Instant now, @Nullable String owner,
            List<CloudEvent> events) {
        return sql.tx("changing the state of run " + runId, c -> reporting(c, "update code_run set state = ?,"
                + " updated_at = ? where run_id = ? and state = ?" + (owner == null ? "" : " and lease_owner = ?"),
                s -> {
                    s.setString(1, next.name());
                    Sql.setInstant(s, 2, now);
                    s.setString(3, runId);
                    s.setString(4, expected.name());
                    if (owner != null) {
                        s.setString(5, owner);
                    }
                    return owner == null ? 4 : 5;
                }, events));
    }

    /**
     * Takes the lease of one run for {@code owner} if nobody holds it, its holder let it expire, or {@code owner}
     * holds it already.
     *
     * @return whether {@code owner} holds it now, until {@code now + lease}
     */
    public boolean claim(String runId, String owner, Instant now, Duration lease) {
        return lease("claiming run " + runId, runId, owner, now.plus(lease),
                "(lease_owner is null or lease_owner = ? or lease_until < ?)", owner, now);
    }

    /**
     * Takes the lease of one run from {@code holder} for {@code owner}, whether or not it expired, if {@code holder}
     * still holds it: for a holder known to be gone.
     *
     * @return whether {@code owner} holds it now, until {@code now + lease}
     */
    public boolean takeOver(String runId, String holder, String owner, Instant now, Duration lease) {
        return lease("taking over run " + runId, runId, owner, now.plus(lease), "lease_owner = ?", holder);
    }

    /**
     * Gives the lease of a run to {@code owner} until {@code until} if the run's row meets {@code condition}, whose
     * parameters (strings and instants) are {@code args}.
     */
    private boolean lease(String what, String runId, String owner, Instant until, String condition, Object... args) {
        return sql.tx(what, c -> {
            try (PreparedStatement s = c.prepareStatement("update code_run set lease_owner = ?, lease_until = ?"
                    + " where run_id = ? and " + condition)) {
                s.setString(1, owner);
                Sql.setInstant(s, 2, until);
                s.setString(3, runId);
                for (int i = 0; i < args.length; i++) {
                    if (args[i] instanceof Instant instant) {
                        Sql.setInstant(s, 4 + i, instant);
                    } else {
                        s.setString(4 + i, (String) args[i]);
                    }
                }
                return s.executeUpdate() == 1;
            }
        });
    }

    /** {@return the runs among {@code runIds} whose lease {@code owner} no longer holds; the others now last until {@code until}} */
    public List<String> renew(String owner, Collection<String> runIds, Instant until) {
        return sql.txRetrying("renewing run leases", c -> {
            List<String> lost = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement(
                    "update code_run set lease_until = ? where run_id = ? and lease_owner = ?")) {
                for (String runId : new TreeSet<>(runIds)) { // in run id order, as updateSteps() locks them
                    Sql.setInstant(s, 1, until);
                    s.setString(2, runId);
                    s.setString(3, owner);
                    if (s.executeUpdate() == 0) {
                        lost.add(runId);
                    }
                }
            }
            return lost;
        });
    }

    /** Gives up the lease of a run if {@code owner} holds it. */
    public void release(String runId, String owner) {
        sql.tx("releasing run " + runId, c -> {
            try (PreparedStatement s = c.prepareStatement("update code_run set lease_owner = null, lease_until = null"
                    + " where run_id = ? and lease_owner = ?")) {
                s.setString(1, runId);
                s.setString(2, owner);
                return s.executeUpdate();
            }
        });
    }

    /** {@return the newest run of a deployment that ended {@link RunState#SUCCEEDED}, other than {@code except}} */
    public Optional<RunRecord> latestSucceeded(String name, String environment, String except) {
        return sql.tx("finding the last successful run of " + name, c -> {
            try (PreparedStatement s = c.prepareStatement("select r.*, s.spec from code_run r join code_run_spec s on"
                    + " s.run_id = r.run_id where r.name = ? and r.environment = ? and r.state = 'SUCCEEDED'"
                    + " and r.run_id <> ? order by r.created_at desc, r.run_id fetch first 1 rows only")) {
                s.setString(1, name);
                s.setString(2, environment);
                s.setString(3, except);
                List<RunRecord> runs = runs(s);
                return runs.isEmpty() ? Optional.<RunRecord>empty() : Optional.of(runs.getFirst());
            }
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

    /** {@return the run's steps in plan order} */
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
