package org.codeengine.core.internal.orchestrator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeHome;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.DeploymentBusyException;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.Orchestrator;
import org.codeengine.api.orchestrator.Plan;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.RunSummary;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.core.internal.observe.Telemetry;
import org.codeengine.core.internal.store.RunRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator: checks each call with the security facade, plans, starts runs and keeps their leases. With
 * {@code adoptOrphans}, it also resumes unfinished runs whose holder let its lease expire (a process that died), and
 * at once those whose holder's process is gone from this host.
 */
public final class DefaultOrchestrator implements Orchestrator, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultOrchestrator.class);
    private static final Principal SYSTEM = new Principal("code-engine", Principal.Kind.SYSTEM, Set.of());

    /** Where audit entries go. */
    @FunctionalInterface
    public interface Audit {
        void record(String principal, String action, String target, Outcome outcome, String detail);
    }

    /**
     * @param leaseTtl how long a run stays with this engine without a heartbeat; renewed every third of it
     * @param adoptOrphans whether to resume unfinished runs whose lease expired, at start and then periodically
     * @param startsPerExecutor the bulkhead: starts of one executor at once
     * @param breakerOpenFor how long a tripped circuit breaker refuses starts
     */
    public record Options(Duration leaseTtl, boolean adoptOrphans, int startsPerExecutor, Duration breakerOpenFor,
            Duration waitWhenBusy) {
        public static final Options DEFAULTS = new Options(Duration.ofSeconds(30), true, 64, Duration.ofSeconds(30));

        /**
         * @param waitWhenBusy how long a deploy waits for an unfinished run of the same deployment to end before it is
         *        refused; zero refuses at once
         */
        public Options {
            if (leaseTtl.isNegative() || leaseTtl.isZero() || breakerOpenFor.isNegative() || breakerOpenFor
                    .isZero() || startsPerExecutor < 1 || waitWhenBusy.isNegative()) {
                throw new IllegalArgumentException("leaseTtl and breakerOpenFor must be positive, startsPerExecutor"
                        + " at least 1 and waitWhenBusy not negative");
            }
        }

        /** Options whose deploys are refused at once while another run of their deployment is unfinished. */
        public Options(Duration leaseTtl, boolean adoptOrphans, int startsPerExecutor, Duration breakerOpenFor) {
            this(leaseTtl, adoptOrphans, startsPerExecutor, breakerOpenFor, Duration.ZERO);
        }
    }

    /**
     * What bounds a deployment and where its services' traces go.
     *
     * @param maxInstances the most instances one service of a plan may ask for
     * @param logFolder where executors keep the services' logs
     */
    public record Limits(int maxInstances, Path logFolder) {
        /** The most instances of one service by default. */
        public static final int DEFAULT_MAX_INSTANCES = 64;

        public Limits {
            if (maxInstances < 1) {
                throw new IllegalArgumentException("maxInstances must be at least 1 but was " + maxInstances);
            }
            Objects.requireNonNull(logFolder, "logFolder");
        }

        /** {@return the defaults: 64 instances, logs in {@code logs} in {@link CodeHome#current() CODE's home}} */
        public static Limits defaults() {
            return new Limits(DEFAULT_MAX_INSTANCES, CodeHome.current().resolve("logs"));
        }
    }

    private final Runtime rt;
    private final Planner planner;
    private final SecurityFacade security;
    private final Audit audit;
    private final Options options;
    private final Map<String, RunExecution> active = new ConcurrentHashMap<>();
    /** Who started each execution; by execution, as a new one of a run may be tracked while an old one ends. */
    private final Map<RunExecution, Principal> startedBy = new ConcurrentHashMap<>();
    /**
     * Locks by run id (striped): taking up a run that exists (resume, adopt, rollback, cancel) checks for an execution
     * of it, claims it and starts the new execution under its lock, so that two callers never build two.
     */
    private final Object[] takeUp = new Object[64];
    private final @Nullable Thread keeper;
    private volatile boolean closed;

    public DefaultOrchestrator(RunJournal journal, Map<String, StepExecutor> executors, Map<String, HealthProbe> probes,
            SecurityFacade security, Audit audit, Clock clock, Executor threads, MeterRegistry meters,
            Options options) {
        this(journal, executors, probes, security, audit, clock, threads, meters, options, Limits.defaults());
    }

    public DefaultOrchestrator(RunJournal journal, Map<String, StepExecutor> executors, Map<String, HealthProbe> probes,
            SecurityFacade security, Audit audit, Clock clock, Executor threads, MeterRegistry meters,
            Options options, Limits limits) {
        this(journal, executors, probes, security, audit, clock, threads, new Telemetry(meters,
                ObservationRegistry.NOOP), options, limits, ref -> {
                    throw new NotFoundException("no vault resolves " + ref + " here", null);
                });
    }

    /**
     * @param secrets resolves the secret references services' settings hold, once the caller was checked for each
     */
    public DefaultOrchestrator(RunJournal journal, Map<String, StepExecutor> executors, Map<String, HealthProbe> probes,
            SecurityFacade security, Audit audit, Clock clock, Executor threads, Telemetry telemetry,
            Options options, Limits limits, Function<SecretRef, Secret> secrets) {
        String owner = LeaseOwners.forThisProcess();
        this.rt = new Runtime(journal, owner, clock, threads, Map.copyOf(executors), Map.copyOf(probes), new Guards(
                options.startsPerExecutor(), options.breakerOpenFor()), new Metrics(telemetry, executors.keySet()),
                new SpecCodec(), limits.logFolder(), secrets);
        this.planner = new Planner(executors, probes, limits.maxInstances());
        this.security = security;
        this.audit = audit;
        this.options = options;
        for (int i = 0; i < takeUp.length; i++) {
            takeUp[i] = new Object();
        }
        this.keeper = Thread.ofVirtual().name("code-orchestrator-leases").start(this::keepLeases);
    }

    /** {@return this engine's name in run leases} */
    public String owner() {
        return rt.owner();
    }

    @Override
    public Plan plan(CallContext context, DeploymentSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        require(context, "plan", spec.environment());
        return planner.plan(spec);
    }

    @Override
    public RunHandle deploy(CallContext context, DeploymentSpec spec) {
        Objects.requireNonNull(spec, "spec must not be null");
        require(context, "run", spec.environment());
        Plan plan = planner.plan(spec);
        requireSecrets(context, spec);
        if (closed) {
            throw new UnavailableException("the orchestrator is closed; no run starts", null, null);
        }
        String runId = UUID.randomUUID().toString();
        create(context, runId, plan);
        RunExecution run;
        try {
            run = track(runId, plan, RunState.PENDING, RunExecution.pendingSteps(runId, plan), context.principal());
        } catch (RuntimeException e) {
            neverStarted(runId);
            throw e;
        }
        LOG.info("run {}: deploying {} to {} ({} services in {} phases)", runId, spec.name(), spec.environment(),
                spec.services().size(), plan.phases().size());
        try {
            run.start();
        } catch (RuntimeException e) {
            untrack(run);
            neverStarted(runId);
            throw e;
        }
        return run;
    }

    /**
     * Creates a new run in the journal unless another run of its deployment is unfinished there; waits for that one
     * to end for as long as {@link Options#waitWhenBusy()} and the caller's deadline allow.
     */
    private void create(CallContext context, String runId, Plan plan) {
        DeploymentSpec spec = plan.spec();
        String json = rt.codec().write(spec);
        List<StepRecord> steps = RunExecution.pendingSteps(runId, plan);
        long waitUntil = System.nanoTime() + options.waitWhenBusy().toNanos();
        while (true) {
            Instant now = rt.clock().instant();
            Optional<String> busy = rt.journal().createUnlessBusy(new RunRecord(runId, spec.name(), spec.environment(),
                    RunState.PENDING, json, now, now, rt.owner(), now.plus(options.leaseTtl())), steps);
            if (busy.isEmpty()) {
                return;
            }
            Duration pause = Duration.ofMillis(200);
            boolean pastDeadline = context.deadlineIfAny().map(d -> rt.clock().instant().plus(pause).isAfter(d))
                    .orElse(false);
            if (closed || pastDeadline || System.nanoTime() - waitUntil > 0) {
                throw new DeploymentBusyException(spec.name(), spec.environment(), busy.get());
            }
            LOG.debug("deployment {} to {}: run {} is unfinished; waiting for it", spec.name(), spec.environment(),
                    busy.get());
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeploymentBusyException(spec.name(), spec.environment(), busy.get());
            }
        }
    }

    /** Ends a new run that could not start, so that no engine adopts it later: its caller got an exception. */
    private void neverStarted(String runId) {
        try {
            rt.journal().transition(runId, RunState.PENDING, RunState.FAILED, rt.clock().instant(), rt.owner());
        } catch (RuntimeException e) {
            LOG.warn("run {} could not start, nor be marked failed: {}", runId, e.getMessage());
        }
        releaseQuietly(runId);
    }

    /**
     * Starts work on a run just tracked; if that throws, the run is no longer tracked, its lease is given back and the
     * exception goes on to the caller.
     */
    private void begin(RunExecution run, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            untrack(run);
            releaseQuietly(run.runId());
            throw e;
        }
    }

    /** Forgets an execution that never began: nothing ran, so there is nothing to stop or audit. */
    private void untrack(RunExecution run) {
        active.remove(run.runId(), run);
        if (startedBy.remove(run) != null) {
            rt.metrics().runLeft();
        }
    }

    private void releaseQuietly(String runId) {
        try {
            rt.journal().release(runId, rt.owner());
        } catch (RuntimeException e) {
            LOG.warn("run {}: giving up its lease failed; it expires by itself: {}", runId, e.getMessage());
        }
    }

    private Object takeUpLock(String runId) {
        return takeUp[Math.floorMod(runId.hashCode(), takeUp.length)];
    }

    @Override
    public RunHandle resume(CallContext context, String runId) {
        RunRecord record = find(runId);
        require(context, "run", record.environment());
        requireSecrets(context, rt.codec().read(record.spec(), "the stored spec of run " + record.runId()));
        return resume(record, context.principal());
    }

    private RunHandle resume(RunRecord record, Principal principal) {
        synchronized (takeUpLock(record.runId())) {
            RunExecution running = active.get(record.runId());
            if (running != null && !running.state().terminal()) {
                return running;
            }
            if (record.state().terminal()) {
                return endedHandle(record);
            }
            RunExecution run = claim(record, principal);
            RunState state = run.state(); // as the store has it now that this engine holds the run
            if (state.terminal()) {
                return giveBack(run);
            }
            LOG.info("run {}: resuming {} to {} from {}", record.runId(), record.name(), record.environment(),
                    state);
            begin(run, state == RunState.ROLLING_BACK ? () -> run.startRollback(RunState.ROLLED_BACK) : run::start);
            return run;
        }
    }

    /** Gives back a run claimed in vain, as it ended meanwhile; returns its handle as it ended. */
    private RunExecution giveBack(RunExecution run) {
        untrack(run);
        releaseQuietly(run.runId());
        return endedHandle(find(run.runId()));
    }

    private static boolean canRollBack(RunState state) {
        return switch (state) {
            case SUCCEEDED, FAILED, PENDING, RUNNING, ROLLING_BACK -> true;
            default -> false;
        };
    }

    @Override
    public RunHandle rollback(CallContext context, String runId) {
        RunRecord record = find(runId);
        require(context, "rollback", record.environment());
        audit.record(context.principal().id(), "deploy:rollback:" + record.environment(), runId, Outcome.SUCCESS,
                "rollback requested in state " + record.state());
        synchronized (takeUpLock(runId)) {
            RunExecution running = active.get(runId);
            if (running != null && !running.state().terminal()) {
                running.stopForRollback();
                return running;
            }
            if (!canRollBack(record.state())) {
                return endedHandle(record);
            }
            RunExecution run = claim(record, context.principal());
            if (!canRollBack(run.state())) {
                return giveBack(run);
            }
            begin(run, () -> run.startRollback(RunState.ROLLED_BACK));
            return run;
        }
    }

    @Override
    public void cancel(CallContext context, String runId) {
        RunRecord record = find(runId);
        require(context, "cancel", record.environment());
        audit.record(context.principal().id(), "deploy:cancel:" + record.environment(), runId, Outcome.SUCCESS,
                "cancel requested in state " + record.state());
        synchronized (takeUpLock(runId)) {
            RunExecution running = active.get(runId);
            if (running != null) {
                running.cancel();
            } else if (!record.state().terminal()) {
                RunExecution run = claim(record, context.principal());
                if (run.state().terminal()) {
                    giveBack(run);
                } else {
                    begin(run, () -> run.startRollback(RunState.CANCELLED));
                }
            }
        }
    }

    @Override
    public RunSummary inspect(CallContext context, String runId) {
        RunRecord record = find(runId);
        require(context, "read", record.environment());
        return summary(record, rt.journal().steps(runId));
    }

    @Override
    public List<RunSummary> history(CallContext context, int limit) {
        if (limit < 1) {
            throw new InvalidRequestException("limit must be at least 1 but was " + limit, null);
        }
        require(context, "read", "*");
        return rt.journal().list(limit).stream().map(r -> summary(r, List.of())).toList();
    }

    /** Stops working on every run (another engine, or this one after a restart, resumes them) and frees the leases. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll(); // wakes the keeper; it is never interrupted, so no store call of its is cut half-way
        }
        if (keeper != null) {
            try {
                keeper.join(Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (RunExecution run : List.copyOf(active.values())) {
            run.abandon();
            releaseQuietly(run.runId());
        }
        rt.journal().close();
    }

    // ------------------------------------------------------------------------------------------------

    private RunExecution claim(RunRecord record, Principal principal) {
        Instant now = rt.clock().instant();
        if (!rt.journal().claim(record.runId(), rt.owner(), now, options.leaseTtl())) {
            RunRecord holder = rt.journal().find(record.runId()).orElse(record);
            String gone = holder.leaseOwner();
            if (gone != null && LeaseOwners.goneFromThisHost(gone) && rt.journal().takeOver(record.runId(), gone, rt
                    .owner(), now, options.leaseTtl())) {
                LOG.info("run {}: took it over from {}, whose process is gone, before its lease expired", record
                        .runId(), gone);
            } else {
                throw new UnavailableException("run " + record.runId() + " is held by " + holder.leaseOwner()
                        + " until " + holder.leaseUntil() + "; it can be taken over once that lease expires",
                        holder.leaseUntil() == null ? null : Duration.between(now, holder.leaseUntil()), null);
            }
        }
        try {
            DeploymentSpec spec = rt.codec().read(record.spec(), "the stored spec of run " + record.runId());
            Plan plan;
            try {
                plan = planner.plan(spec);
            } catch (InvalidRequestException e) {
                throw new InvalidRequestException("run " + record.runId() + " cannot be resumed here: "
                        + e.getMessage(), e);
            }
            RunRecord fresh = rt.journal().find(record.runId()).orElse(record);
            return track(record.runId(), plan, fresh.state(), rt.journal().steps(record.runId()), principal);
        } catch (RuntimeException e) {
            releaseQuietly(record.runId());
            throw e;
        }
    }

    private RunExecution track(String runId, Plan plan, RunState state, List<StepRecord> steps, Principal principal) {
        RunExecution run = new RunExecution(rt, runId, plan, state, steps, previous(plan.spec(), runId),
                this::ended);
        startedBy.put(run, principal);
        active.put(runId, run); // replaces only an execution that is ending: callers hold the run's lock
        rt.metrics().runStarted();
        if (closed) { // close() may have looked at the runs before this one came: leave it as close() would
            untrack(run); // the caller gives the lease back
            throw new UnavailableException("the orchestrator is closed", null, null);
        }
        return run;
    }

    private RunExecution.@Nullable Previous previous(DeploymentSpec spec, String runId) {
        return rt.journal().latestSucceeded(spec.name(), spec.environment(), runId).map(r -> {
            Map<String, StepRecord> steps = new ConcurrentHashMap<>();
            rt.journal().steps(r.runId()).forEach(s -> steps.put(s.service(), s));
            return new RunExecution.Previous(r.runId(), rt.codec().read(r.spec(), "the stored spec of run "
                    + r.runId()), steps);
        }).orElse(null);
    }

    private void ended(RunExecution run) {
        active.remove(run.runId(), run);
        Principal principal = startedBy.remove(run);
        if (principal == null) {
            return; // forgotten already
        }
        RunState state = run.state();
        if (!state.terminal()) {
            rt.metrics().runLeft();
            return;
        }
        rt.metrics().runEnded(state);
        try {
            audit.record(principal.id(), "deploy:run:" + run.spec().environment(),
                    run.runId(), state == RunState.SUCCEEDED ? Outcome.SUCCESS : Outcome.FAILURE, "deployment "
                            + run.spec().name() + " ended " + state);
        } catch (RuntimeException e) {
            LOG.warn("could not audit the end of run {}", run.runId(), e);
        }
    }

    private RunExecution endedHandle(RunRecord record) {
        DeploymentSpec spec = rt.codec().read(record.spec(), "the stored spec of run " + record.runId());
        Plan plan = new Plan(spec, List.of(spec.services().stream().map(s -> s.name()).toList()));
        RunExecution run = new RunExecution(rt, record.runId(), plan, record.state(), rt.journal().steps(record
                .runId()), null, r -> {
                });
        run.ended();
        return run;
    }

    private RunRecord find(String runId) {
        if (runId == null || runId.isBlank()) {
            throw new InvalidRequestException("runId must not be blank", null);
        }
        return rt.journal().find(runId).orElseThrow(() -> new NotFoundException("no run has the id '" + runId + "'",
                null));
    }

    private void require(CallContext context, String action, String environment) {
        Objects.requireNonNull(context, "context must not be null");
        security.require(context.principal(), new Permission("deploy", action, environment));
    }

    /**
     * Checks that the caller may use every secret the services' settings refer to ({@code secret:vault:<name>},
     * {@code secret:env:<name>}), before anything starts: a plan cannot reach a secret its author may not read.
     */
    private void requireSecrets(CallContext context, DeploymentSpec spec) {
        for (ServiceSpec service : spec.services()) {
            StepExecutor executor = rt.executors().get(service.executor());
            if (executor == null) {
                continue; // the planner has refused it already
            }
            for (SecretRef ref : executor.secretRefs(service.settings())) {
                security.require(context.principal(), ref.permission());
            }
        }
    }

    private static RunSummary summary(RunRecord r, List<StepRecord> steps) {
        return new RunSummary(r.runId(), r.name(), r.environment(), r.state(), r.createdAt(), r.updatedAt(), steps);
    }

    /** Resumes a run this engine claimed because its holder let its lease expire. */
    private void adopt(String runId) {
        try {
            rt.journal().find(runId).ifPresent(record -> {
                LOG.info("run {}: adopting it; its holder is gone", runId);
                resume(record, SYSTEM);
            });
        } catch (RuntimeException e) {
            LOG.error("run {}: cannot adopt it: {}", runId, e.getMessage());
            releaseQuietly(runId);
        }
    }

    /** Renews the leases of active runs every third of their time to live, and adopts orphaned runs. */
    private void keepLeases() {
        Duration beat = options.leaseTtl().dividedBy(3);
        while (!closed) {
            try {
                Instant now = rt.clock().instant();
                if (!active.isEmpty()) {
                    for (String lost : rt.journal().renew(rt.owner(), List.copyOf(active.keySet()), now.plus(options
                            .leaseTtl()))) {
                        RunExecution run = active.get(lost);
                        if (run != null && !run.state().terminal()) {
                            LOG.warn("run {}: another engine holds its lease now; leaving it", lost);
                            run.abandon();
                        }
                    }
                }
                if (options.adoptOrphans()) {
                    List<String> claimed = new ArrayList<>(rt.journal().claimUnfinished(rt.owner(), now,
                            options.leaseTtl(), 8));
                    for (RunRecord held : rt.journal().heldUnfinished(now, 64)) {
                        String holder = held.leaseOwner();
                        if (claimed.size() < 8 && holder != null && !holder.equals(rt.owner()) && LeaseOwners
                                .goneFromThisHost(holder) && rt.journal().takeOver(held.runId(), holder, rt.owner(),
                                        now, options.leaseTtl())) {
                            LOG.info("run {}: its holder {} is gone from this host; adopting it before its lease"
                                    + " expires", held.runId(), holder);
                            claimed.add(held.runId());
                        }
                    }
                    for (String runId : claimed) {
                        try {
                            rt.threads().execute(() -> adopt(runId)); // store work and rollbacks: not on this thread
                        } catch (RejectedExecutionException e) {
                            releaseQuietly(runId);
                        }
                    }
                }
            } catch (RuntimeException e) {
                if (closed) {
                    return;
                }
                LOG.warn("keeping run leases failed; trying again in {}", beat, e);
            }
            synchronized (this) {
                try {
                    if (!closed) {
                        wait(beat.toMillis());
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
