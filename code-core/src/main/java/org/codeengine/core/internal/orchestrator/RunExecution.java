package org.codeengine.core.internal.orchestrator;

import io.micrometer.observation.Observation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.codeengine.api.CodeException;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.NonRetriableException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.DeploymentEvent;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.Plan;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.Rollout;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.spi.StepContext;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StepHandle;
import org.codeengine.core.internal.events.DeploymentCloudEvents;
import org.codeengine.core.internal.observe.Telemetry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run: schedules its steps as their dependencies turn healthy, bounded by parallelism and capacity; retries,
 * health-gates and rolls out each step; on a failure for good or a cancel stops scheduling, stops running steps and
 * undoes what it deployed in reverse dependency order. Every transition is in the journal before it is acted on.
 *
 * <p>Threads: each step runs on a task of its own; the scheduling state is guarded by {@code this}.
 */
final class RunExecution implements RunHandle {
    private static final Logger LOG = LoggerFactory.getLogger(RunExecution.class);
    private static final String SLOT = "slot";

    /** Thrown inside a step's task when the run is being stopped or abandoned: the task ends without writing. */
    private static final class Stopped extends RuntimeException implements Guards.NotTheTargets {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("stopped", null, false, false);
        }
    }

    /** Thrown when this engine no longer holds the run's lease. */
    private static final class LeaseLost extends RuntimeException implements Guards.NotTheTargets {
        private static final long serialVersionUID = 1L;

        LeaseLost() {
            super("lease lost", null, false, false);
        }
    }

    private enum Mode {
        DEPLOYING, STOPPING, ENDED, ABANDONED
    }

    /** What a run before this one left running, for rollouts: its spec and its steps by service (a concurrent map). */
    record Previous(String runId, DeploymentSpec spec, Map<String, StepRecord> steps) {}

    /** A step's task; it may be interrupted only while it waits (sleeps, probes), never while it writes. */
    private static final class Task {
        final int step;
        final boolean reattach;
        @Nullable
        Thread thread;
        boolean waiting;
        boolean stop;
        final List<StepHandle> handles = new CopyOnWriteArrayList<>();
        /** The step's span; its health probes are its children. */
        volatile Observation span = Observation.NOOP;

        Task(int step, boolean reattach) {
            this.step = step;
            this.reattach = reattach;
        }

        synchronized void beginWait() {
            if (stop) {
                throw new Stopped();
            }
            waiting = true;
        }

        synchronized void endWait() {
            waiting = false;
            Thread.interrupted(); // an interrupt meant for the wait must not reach a write
            if (stop) {
                throw new Stopped();
            }
        }

        synchronized void stop() {
            stop = true;
            if (waiting && thread != null) {
                thread.interrupt();
            }
        }

        synchronized void check() {
            if (stop) {
                throw new Stopped();
            }
        }
    }

    private final Runtime rt;
    private final String runId;
    private final DeploymentSpec spec;
    private final List<ServiceSpec> order;
    private final int[][] dependents;
    private final int[] waitingOn;
    private final StepRecord[] records;
    private final @Nullable Previous previous;
    private final Consumer<RunExecution> onEnd;

    private final PriorityQueue<Integer> ready = new PriorityQueue<>();
    private final boolean[] reattach;
    /** Whether a step's settings hold placeholders; the others skip filling them in. */
    private final boolean[] templated;
    private final Map<Integer, Task> running = new HashMap<>();
    private Mode mode = Mode.DEPLOYING;
    /** Whether the handle is complete and {@link #onEnd} called: once, whatever the mode. */
    private boolean finished;
    /** Set when the run is to be left while a rollback runs ({@link Mode#ENDED}): it stops before its next step. */
    private boolean leaving;
    private RunState state;
    private RunState stopTarget = RunState.ROLLED_BACK;
    private int healthy;
    private long cpuInFlight;
    private long memoryInFlight;
    private final CompletableFuture<RunState> done = new CompletableFuture<>();
    /** The run's span, from {@link #start} until the handle completes. */
    private volatile Observation span = Observation.NOOP;
    /** Whether this handle deployed (or resumed deploying): only then does its end count as a deploy's outcome. */
    private volatile boolean deploying;

    private final List<DeploymentEvent> events = new ArrayList<>();
    private final List<Consumer<DeploymentEvent>> listeners = new ArrayList<>();

    /**
     * @param records the steps as the journal has them, in plan order
     * @param onEnd called once when the run ends or this engine stops working on it
     */
    RunExecution(Runtime rt, String runId, Plan plan, RunState state, List<StepRecord> records,
            @Nullable Previous previous, Consumer<RunExecution> onEnd) {
        this.rt = rt;
        this.runId = runId;
        this.spec = plan.spec();
        this.state = state;
        this.previous = previous;
        this.onEnd = onEnd;
        Map<String, ServiceSpec> byName = new HashMap<>();
        spec.services().forEach(s -> byName.put(s.name(), s));
        this.order = plan.phases().stream().flatMap(List::stream).map(byName::get).toList();
        int n = order.size();
        Map<String, Integer> position = HashMap.newHashMap(n);
        for (int i = 0; i < n; i++) {
            position.put(order.get(i).name(), i);
        }
        int[] count = new int[n];
        this.waitingOn = new int[n];
        for (int i = 0; i < n; i++) {
            for (String d : order.get(i).dependsOn()) {
                count[position.get(d)]++;
                waitingOn[i]++;
            }
        }
        this.dependents = new int[n][];
        for (int i = 0; i < n; i++) {
            dependents[i] = new int[count[i]];
            count[i] = 0;
        }
        for (int i = 0; i < n; i++) {
            for (String d : order.get(i).dependsOn()) {
                int p = position.get(d);
                dependents[p][count[p]++] = i;
            }
        }
        this.records = new StepRecord[n];
        Map<String, StepRecord> stored = new HashMap<>();
        records.forEach(r -> stored.put(r.service(), r));
        for (int i = 0; i < n; i++) {
            StepRecord r = stored.get(order.get(i).name());
            this.records[i] = r != null
                    ? r
                    : new StepRecord(runId, order.get(i).name(), StepState.PENDING, 0, null, null, Map.of(), null);
        }
        this.reattach = new boolean[n];
        this.templated = new boolean[n];
        for (int i = 0; i < n; i++) {
            ServiceSpec service = order.get(i);
            templated[i] = service.settings().values().stream().anyMatch(v -> v.contains("${")) || (service
                    .healthCheck() != null && service.healthCheck().settings().values().stream().anyMatch(
                            v -> v
                                    .contains("${")));
        }
    }

    /** {@return the steps of a new run, all pending, in plan order} */
    static List<StepRecord> pendingSteps(String runId, Plan plan) {
        return plan.phases().stream().flatMap(List::stream)
                .map(s -> new StepRecord(runId, s, StepState.PENDING, 0, null, null, Map.of(), null)).toList();
    }

    // ---------------------------------------------------------------- starting, resuming, stopping

    /** Starts or resumes deploying, from the steps' records. */
    void start() {
        span = rt.metrics().runSpan(runId, spec.name());
        deploying = true;
        if (state == RunState.PENDING) {
            try {
                transition(RunState.PENDING, RunState.RUNNING);
            } catch (LeaseLost e) {
                throw new UnavailableException("run " + runId + " cannot start: it is no longer pending, or another"
                        + " engine holds it now", null, null);
            }
        }
        List<Integer> failed = new ArrayList<>();
        synchronized (this) {
            for (int i = 0; i < records.length; i++) {
                switch (records[i].state()) {
                    case PENDING -> {
                    }
                    case STARTING, CHECKING_HEALTH, HEALTHY -> reattach[i] = true;
                    default -> failed.add(i);
                }
                if (waitingOn[i] == 0) {
                    ready.add(i);
                }
            }
            if (!failed.isEmpty()) {
                mode = Mode.STOPPING;
            }
        }
        pump();
    }

    /** Marks a handle of a run that has ended: nothing to do but answer. */
    void ended() {
        synchronized (this) {
            mode = Mode.ENDED;
        }
        finish(state, null);
    }

    /** Undoes what the run deployed: for a run that ended, or one left mid-rollback by a process that died. */
    void startRollback(RunState target) {
        synchronized (this) {
            mode = Mode.STOPPING;
            stopTarget = target;
        }
        dispatch(this::rollBack);
    }

    @Override
    public void cancel() {
        stop(RunState.CANCELLED);
    }

    /** Stops a run that is deploying and undoes it, ending {@link RunState#ROLLED_BACK}. */
    void stopForRollback() {
        stop(RunState.ROLLED_BACK);
    }

    /**
     * Stops work on the run without ending it: another engine takes it over, or this one is closing. What the run
     * started keeps running, for the engine that resumes it to re-attach: an abandoned run stops nothing.
     */
    void abandon() {
        List<Task> tasks;
        synchronized (this) {
            if (finished || mode == Mode.ABANDONED) {
                return;
            }
            if (mode == Mode.ENDED) {
                leaving = true; // the thread that ends the run stops before its next step and completes the handle
                return;
            }
            mode = Mode.ABANDONED;
            tasks = List.copyOf(running.values());
        }
        tasks.forEach(Task::stop);
        leave();
    }

    /** Completes the handle of a run this engine no longer works on; from {@link #abandon} or an ending cut short. */
    private void leave() {
        synchronized (this) {
            mode = Mode.ABANDONED;
        }
        LOG.info("run {} is no longer worked on by this engine; it stays {}", runId, state());
        finish(null, new UnavailableException("run " + runId
                + " is no longer worked on by this engine; resume it from the store", null, null));
    }

    /** Calls {@link #onEnd} and completes the handle, the first time only. */
    private void finish(@Nullable RunState ended, @Nullable Throwable failure) {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
        }
        rt.metrics().deployEnded(span, deploying ? ended : null, failure);
        try {
            onEnd.accept(this); // before waiters wake, so they find the run ended in the orchestrator too
        } catch (RuntimeException e) {
            LOG.warn("run {}: telling the orchestrator that the run ended failed", runId, e);
        }
        if (failure == null) {
            done.complete(ended);
        } else {
            done.completeExceptionally(failure);
        }
    }

    /**
     * Hands work to the engine's threads.
     *
     * @return false if they refused it (the engine is shutting down): the run is then left for a later resume
     */
    private boolean dispatch(Runnable work) {
        try {
            rt.threads().execute(work);
            return true;
        } catch (RejectedExecutionException e) {
            LOG.warn("run {}: the engine's executor refused work ({}); leaving the run for a later resume", runId, e
                    .getMessage());
            abandon();
            return false;
        }
    }

    private synchronized boolean abandoned() {
        return mode == Mode.ABANDONED;
    }

    private void stop(RunState target) {
        List<Task> tasks;
        boolean idle;
        synchronized (this) {
            if (mode != Mode.DEPLOYING) {
                return;
            }
            mode = Mode.STOPPING;
            stopTarget = target;
            tasks = List.copyOf(running.values());
            idle = running.isEmpty();
        }
        tasks.forEach(Task::stop);
        if (idle) {
            dispatch(this::rollBack);
        }
    }

    // ---------------------------------------------------------------- scheduling

    /** Starts every ready step that parallelism and capacity allow; ends the run when nothing is left to do. */
    private void pump() {
        boolean succeeded = false;
        boolean rollBack = false;
        List<Task> launch = new ArrayList<>();
        synchronized (this) {
            if (mode == Mode.DEPLOYING) {
                while (!ready.isEmpty() && running.size() < spec.maxParallelism()) {
                    ServiceSpec next = order.get(ready.peek());
                    Resources demand = Planner.demand(next);
                    if (!running.isEmpty() && (cpuInFlight + demand.cpuMillis() > spec.capacity().cpuMillis()
                            || memoryInFlight + demand.memoryBytes() > spec.capacity().memoryBytes())) {
                        break;
                    }
                    int i = ready.poll();
                    cpuInFlight += demand.cpuMillis();
                    memoryInFlight += demand.memoryBytes();
                    Task task = new Task(i, reattach[i]);
                    running.put(i, task);
                    launch.add(task);
                }
                if (running.isEmpty() && healthy == records.length) {
                    mode = Mode.ENDED;
                    succeeded = true;
                }
            } else if (mode == Mode.STOPPING && running.isEmpty()) {
                rollBack = true;
            }
        }
        for (Task task : launch) {
            if (!dispatch(() -> runStep(task))) {
                return;
            }
        }
        if (succeeded) {
            try {
                succeed();
            } catch (LeaseLost e) {
                leave();
            } catch (RuntimeException | Error e) {
                LOG.error("ending run {} failed; it stays {} for a later resume", runId, state(), e);
                finish(null, e);
                rethrowFatal(e);
            }
        } else if (rollBack) {
            dispatch(this::rollBack); // never on the caller's thread: it may be the lease keeper's
        }
    }

    private static void rethrowFatal(Throwable e) {
        if (e instanceof VirtualMachineError fatal) {
            throw fatal;
        }
    }

    private void runStep(Task task) {
        synchronized (task) {
            task.thread = Thread.currentThread();
        }
        int i = task.step;
        ServiceSpec service = order.get(i);
        long began = System.nanoTime();
        boolean ok = false;
        boolean stopped = false;
        boolean lost = false;
        Throwable unexpected = null;
        task.span = rt.metrics().stepSpan(span, service.name(), service.executor());
        try {
            ok = deploy(task, service);
            rt.metrics().stepEnded(service.executor(), ok, System.nanoTime() - began);
        } catch (Stopped e) {
            stopped = true;
        } catch (LeaseLost e) {
            lost = true;
        } catch (RuntimeException | Error e) { // an Error too: the step must end, or the run waits for it forever
            unexpected = e;
            ok = false;
            LOG.error("step {} of run {} failed unexpectedly", service.name(), runId, e);
            try {
                fail(i, "unexpected: " + e);
            } catch (LeaseLost again) {
                lost = true;
            } catch (RuntimeException again) {
                LOG.error("could not record the failure of step {} of run {}", service.name(), runId, again);
            }
        } finally {
            synchronized (task) {
                task.thread = null;
            }
            task.span.lowCardinalityKeyValue("outcome",
                    ok ? "healthy" : stopped ? "stopped" : lost ? "left" : "failed");
            Telemetry.end(task.span, unexpected);
        }
        if (lost) {
            abandon();
        } else {
            stepEnded(task, service, ok, stopped);
        }
        rethrowFatal(unexpected);
    }

    /** The bookkeeping after a step's task: frees its capacity, readies its dependents or stops the run. */
    private void stepEnded(Task task, ServiceSpec service, boolean ok, boolean stopped) {
        int i = task.step;
        List<Task> others = List.of();
        synchronized (this) {
            running.remove(i);
            Resources demand = Planner.demand(service);
            cpuInFlight -= demand.cpuMillis();
            memoryInFlight -= demand.memoryBytes();
            if (mode == Mode.ABANDONED) {
                return;
            }
            if (ok) {
                healthy++;
                for (int d : dependents[i]) {
                    if (--waitingOn[d] == 0) {
                        ready.add(d);
                    }
                }
            } else if (!stopped && mode == Mode.DEPLOYING) {
                mode = Mode.STOPPING; // fail fast: nothing new starts, running steps stop
                stopTarget = RunState.ROLLED_BACK;
                others = List.copyOf(running.values());
            }
        }
        others.forEach(Task::stop);
        pump();
    }

    // ---------------------------------------------------------------- one step

    /** {@return whether the step ended healthy; false when it failed for good} */
    private boolean deploy(Task task, ServiceSpec service) {
        int i = task.step;
        if (task.reattach && hasInstances(records[i])) {
            String gone = stillRunning(task, service)
                    ? promoteReattached(service, i)
                    : "what an earlier process started is gone";
            if (gone == null) {
                save(i, records[i], StepState.HEALTHY, records[i].attempt(), null);
                return true;
            }
            emit(new DeploymentEvent.StepStateChanged(runId, now(), service.name(), records[i].state(), gone
                    + "; starting it again"));
            if (abandoned()) {
                throw new Stopped(); // what runs belongs to the engine that takes the run over
            }
            undoQuietly(i);
        } else if (task.reattach && records[i].state() == StepState.HEALTHY) {
            return true; // its executor records nothing to re-check; the journal says it completed
        }
        if (task.reattach && midStart(records[i])) {
            sweepUnrecorded(i); // an earlier process may have died between a start and its record
        }
        RetryPolicy retry = service.retry();
        int last = task.reattach ? Math.max(retry.maxAttempts(), records[i].attempt() + 1) : retry.maxAttempts();
        for (int attempt = records[i].attempt() + 1;; attempt++) {
            task.check();
            save(i, records[i], StepState.STARTING, attempt, null);
            try {
                tryOnce(task, service);
                save(i, records[i], StepState.HEALTHY, attempt, null);
                return true;
            } catch (Stopped e) {
                if (!abandoned()) {
                    cancelQuietly(task, service); // on this thread, so before the rollback starts
                } // an abandoned run cancels nothing: what it started belongs to the engine that takes it over
                throw e;
            } catch (LeaseLost e) {
                throw e;
            } catch (RuntimeException e) {
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                task.handles.clear();
                if (abandoned()) {
                    throw new Stopped(); // nor does it undo a failed try: it is no longer this engine's to undo
                }
                undoQuietly(i);
                boolean retriable = !(e instanceof NonRetriableException) && !(e instanceof IllegalArgumentException);
                if (attempt >= last || !retriable) {
                    fail(i, why);
                    return false;
                }
                Duration delay = backoff(retry, attempt);
                rt.metrics().retried(service.executor());
                emit(new DeploymentEvent.StepRetried(runId, now(), service.name(), attempt, delay, why));
                task.beginWait();
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                } finally {
                    task.endWait();
                }
            }
        }
    }

    private void cancelQuietly(Task task, ServiceSpec service) {
        for (StepHandle handle : task.handles) {
            try {
                handle.cancel();
            } catch (RuntimeException e) {
                LOG.warn("run {}: cancelling a start of '{}' failed: {}", runId, service.name(), e.getMessage());
            }
        }
    }

    /**
     * Switches traffic to re-attached instances of a blue-green or canary step that an earlier process left before
     * it was healthy: it may have stopped before it switched. Switching again is harmless.
     *
     * @return null if done or not needed; otherwise why the instances cannot be kept
     */
    private @Nullable String promoteReattached(ServiceSpec service, int i) {
        if (service.rollout() == Rollout.ALL_AT_ONCE || records[i].state() == StepState.HEALTHY) {
            return null; // a step is saved healthy only after its instances were promoted
        }
        try {
            promote(service, i, records[i].outputs().getOrDefault(SLOT, "blue"), instancesOf(records[i]));
            return null;
        } catch (CodeException e) {
            LOG.info("run {}: switching traffic to the re-attached '{}' failed: {}", runId, service.name(), e
                    .getMessage());
            return "switching traffic to what an earlier process started failed: " + e.getMessage();
        }
    }

    private void promote(ServiceSpec service, int i, String slot, List<Integer> instances) {
        StepExecutor executor = rt.executors().get(service.executor());
        for (int k : instances) {
            executor.promote(instanceRecord(records[i], k), context(i, k, slot));
        }
    }

    /** One try: replace or stand beside the old version, start the instances, gate on health, switch traffic. */
    private void tryOnce(Task task, ServiceSpec service) {
        int i = task.step;
        long deadline = System.nanoTime() + service.timeout().toNanos();
        StepRecord old = previousStep(service.name());
        String slot = slotFor(service, old);
        if (!slot.equals(records[i].outputs().get(SLOT))) {
            Map<String, String> outputs = new HashMap<>(records[i].outputs());
            outputs.put(SLOT, slot);
            save(i, withOutputs(records[i], outputs));
        }
        if (service.rollout() == Rollout.ALL_AT_ONCE && old != null) {
            retire(service.name()); // replace in place
        }
        int n = service.instances();
        if (service.rollout() == Rollout.CANARY && n > 1) {
            startAndCheck(task, service, slot, 0, 1, deadline);
            emit(new DeploymentEvent.StepStateChanged(runId, now(), service.name(), StepState.CHECKING_HEALTH,
                    "canary healthy; starting the other " + (n - 1)));
            startAndCheck(task, service, slot, 1, n, deadline);
        } else {
            startAndCheck(task, service, slot, 0, n, deadline);
        }
        if (service.rollout() != Rollout.ALL_AT_ONCE) {
            List<Integer> all = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                all.add(k);
            }
            promote(service, i, slot, all);
        }
    }

    private void startAndCheck(Task task, ServiceSpec service, String slot, int from, int to, long deadline) {
        int i = task.step;
        StepExecutor executor = rt.executors().get(service.executor());
        List<StepHandle> handles = new ArrayList<>();
        for (int k = from; k < to; k++) {
            task.check();
            int instance = k;
            Map<String, String> values = values(i, k, slot);
            Map<String, String> settings = Placeholders.fill(service.settings(), values, "settings");
            Guards.Wait slotWait = new Guards.Wait() { // a stop interrupts the wait for a start slot
                @Override
                public void begin() {
                    task.beginWait();
                }

                @Override
                public void end() {
                    task.endWait();
                }
            };
            StepHandle handle = rt.guards().start(service.executor(), executor.target(settings), slotWait, () -> {
                StepHandle h = executor.start(service.name(), settings, context(i, instance, slot));
                task.handles.add(h);
                h.awaitStarted(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                return h;
            });
            handles.add(handle);
        }
        HealthCheckSpec health = service.healthCheck();
        if (health == null) {
            for (int k = from; k < to; k++) {
                StepHandle handle = handles.get(k - from);
                if (!handle.alive()) {
                    throw new UnavailableException("service '" + service.name() + "' instance " + k
                            + " stopped right after it started" + handle.exitDetail().map(d -> ": " + d).orElse(""),
                            null, null);
                }
            }
            return;
        }
        save(i, records[i], StepState.CHECKING_HEALTH, records[i].attempt(), null);
        List<Runnable> gates = new ArrayList<>();
        for (int k = from; k < to; k++) {
            StepHandle handle = handles.get(k - from);
            int instance = k;
            Map<String, String> settings = Placeholders.fill(health.settings(), values(i, k, slot), "health");
            gates.add(
                    () -> gate(task, service, instance, health, settings, deadline, handle::alive, handle::exitDetail));
        }
        awaitAll(task, gates);
    }

    /** Re-checks, after a restart, the instances an earlier process started. */
    private boolean stillRunning(Task task, ServiceSpec service) {
        int i = task.step;
        StepRecord record = records[i];
        String slot = record.outputs().getOrDefault(SLOT, "blue");
        StepExecutor executor = rt.executors().get(service.executor());
        List<Integer> instances = instancesOf(record);
        if (instances.size() != service.instances()) {
            return false;
        }
        HealthCheckSpec health = service.healthCheck();
        if (health == null) {
            return instances.stream().allMatch(k -> executor.alive(instanceRecord(record, k)));
        }
        long deadline = System.nanoTime() + service.timeout().toNanos();
        List<Runnable> gates = new ArrayList<>();
        for (int k : instances) {
            StepRecord one = instanceRecord(record, k);
            Map<String, String> settings = Placeholders.fill(health.settings(), values(i, k, slot), "health");
            gates.add(() -> gate(task, service, k, health, settings, deadline, () -> executor.alive(one),
                    Optional::empty));
        }
        try {
            awaitAll(task, gates);
            return true;
        } catch (CodeException e) {
            LOG.info("run {}: service '{}' from before the restart is not healthy: {}", runId, service.name(),
                    e.getMessage());
            return false;
        }
    }

    private void gate(Task task, ServiceSpec service, int instance, HealthCheckSpec health,
            Map<String, String> settings, long deadline, BooleanSupplier alive, Supplier<Optional<String>> exitDetail) {
        try {
            HealthGate.await("service '" + service.name() + "' instance " + instance, rt.metrics().measured(rt
                    .probes().get(health.probe()), task.span), health, settings, deadline, alive, exitDetail,
                    (ok, detail) -> emit(
                            new DeploymentEvent.HealthChanged(runId, now(), service.name(), instance, ok, detail)));
        } catch (InterruptedException e) {
            throw new Stopped();
        }
    }

    /**
     * Runs the health gates of a step's instances at once; the first failure, whichever gate, fails them all. Each
     * gate runs on a virtual thread of its own, even a lone one: a gate writes an event when its health changes, and
     * the store shields a virtual thread's writes from the interrupt that a stop sends to the waiting gates.
     */
    private void awaitAll(Task task, List<Runnable> gates) {
        task.beginWait();
        try {
            try (ExecutorService each = Executors.newVirtualThreadPerTaskExecutor()) {
                CompletionService<Object> completed = new ExecutorCompletionService<>(each);
                List<Future<Object>> futures = gates.stream().map(g -> completed.submit(g, null)).toList();
                try {
                    for (int k = 0; k < futures.size(); k++) {
                        completed.take().get(); // in the order they end, so a failure is not held up by the others
                    }
                } catch (ExecutionException e) {
                    futures.forEach(f -> f.cancel(true));
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    futures.forEach(f -> f.cancel(true));
                    throw new Stopped();
                }
            }
        } finally {
            task.endWait();
        }
    }

    private void fail(int i, String why) {
        save(i, records[i], StepState.FAILED, records[i].attempt(), why);
    }

    // ---------------------------------------------------------------- ending

    private void succeed() {
        // fenced first: an engine that lost the run must not stop the old version; the new holder decides
        transition(RunState.RUNNING, RunState.SUCCEEDED);
        releaseLease();
        if (previous != null) {
            try {
                // what the old run still runs is replaced now: blue-green and canary old slots, and removed services
                for (StepRecord old : previous.steps().values()) {
                    if (old.state() == StepState.HEALTHY) {
                        retire(old.service());
                    }
                }
                rt.journal().transition(previous.runId(), RunState.SUCCEEDED, RunState.SUPERSEDED, now(), null);
            } catch (RuntimeException e) {
                LOG.warn("run {} succeeded, but stopping what run {} left running failed; stop it by hand: {}",
                        runId, previous.runId(), e.getMessage(), e);
            }
        }
        ended(RunState.SUCCEEDED);
    }

    private void rollBack() {
        try {
            synchronized (this) {
                if (mode == Mode.ENDED || mode == Mode.ABANDONED) {
                    return;
                }
                mode = Mode.ENDED;
            }
            if (state != RunState.ROLLING_BACK) {
                transition(state, RunState.ROLLING_BACK);
            }
            end(RunState.ROLLING_BACK, undoAll() ? stopTarget : RunState.FAILED);
        } catch (LeaseLost e) {
            leave();
        } catch (RuntimeException | Error e) {
            LOG.error("rollback of run {} failed; the run stays {} for a later resume", runId, state(), e);
            finish(null, e);
            rethrowFatal(e);
        }
    }

    /**
     * Undoes every step in reverse dependency order, each as soon as the steps that depend on it are undone, so that
     * independent steps stop at once: a rollback takes as long as its longest chain of stops, not their sum.
     *
     * @return whether every step was undone cleanly
     */
    private boolean undoAll() {
        AtomicBoolean clean = new AtomicBoolean(true);
        List<CompletableFuture<Void>> undone = new ArrayList<>(Collections.nCopies(records.length, null));
        try (ExecutorService each = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = records.length - 1; i >= 0; i--) { // plan order: a step's dependents come after it
                int step = i;
                CompletableFuture<?>[] dependentsUndone = new CompletableFuture<?>[dependents[i].length];
                for (int k = 0; k < dependents[i].length; k++) {
                    dependentsUndone[k] = undone.get(dependents[i][k]);
                }
                undone.set(i, CompletableFuture.allOf(dependentsUndone).thenRunAsync(() -> {
                    if (!undoStep(step)) {
                        clean.set(false);
                    }
                }, each));
            }
            CompletableFuture.allOf(undone.toArray(CompletableFuture<?>[]::new)).join();
        } catch (CompletionException e) {
            // the first failure for good (a lost lease, the journal refusing writes) ends the rollback here; a step
            // whose dependents were not all undone is not undone either, so nothing stops before what still needs it
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        return clean.get();
    }

    /** {@return whether the step was undone cleanly (or had nothing to undo)} */
    private boolean undoStep(int i) {
        synchronized (this) {
            if (leaving) {
                throw new LeaseLost(); // abandoned meanwhile: the next holder undoes the rest
            }
        }
        StepRecord r = records[i];
        switch (r.state()) {
            case PENDING -> save(i, r, StepState.SKIPPED, r.attempt(), null);
            case STARTING, CHECKING_HEALTH, HEALTHY, FAILED -> {
                if (midStart(r)) {
                    sweepUnrecorded(i);
                }
                if (hasInstances(r)) {
                    try {
                        undoInstances(i, true);
                        save(i, records[i], r.state() == StepState.FAILED
                                ? StepState.FAILED
                                : StepState.ROLLED_BACK, r.attempt(), r.error());
                    } catch (CodeException e) {
                        save(i, records[i], records[i].state(), r.attempt(), "undo failed: " + e.getMessage());
                        return false;
                    }
                } else if (r.state() != StepState.FAILED) {
                    save(i, r, StepState.ROLLED_BACK, r.attempt(), r.error());
                }
            }
            default -> {
            }
        }
        return true;
    }

    private void end(RunState from, RunState to) {
        synchronized (this) {
            mode = Mode.ENDED;
        }
        transition(from, to);
        releaseLease();
        ended(to);
    }

    private void ended(RunState to) {
        LOG.info("run {} of {} to {} ended {}", runId, spec.name(), spec.environment(), to);
        finish(to, null);
    }

    /** Gives up the lease of a run that has ended; if that fails, the lease expires by itself. */
    private void releaseLease() {
        try {
            rt.journal().release(runId, rt.owner());
        } catch (RuntimeException e) {
            LOG.warn("run {}: giving up its lease failed; it expires by itself: {}", runId, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- instances and the old version

    private Map<String, String> values(int i, int k, String slot) {
        ServiceSpec service = order.get(i);
        if (!templated[i]) {
            return Map.of();
        }
        Map<String, String> values = new HashMap<>(Placeholders.sample(service.name()));
        values.put("instance", Integer.toString(k));
        values.put("slot", slot);
        values.put("run", runId);
        String portKey = k + "." + Placeholders.PORT;
        String port = records[i].outputs().get(portKey);
        boolean wanted = Placeholders.mentions(service.settings(), Placeholders.PORT) || (service.healthCheck() != null
                && Placeholders.mentions(service.healthCheck().settings(), Placeholders.PORT));
        if (port == null && wanted) {
            port = Integer.toString(freePort());
            Map<String, String> outputs = new HashMap<>(records[i].outputs());
            outputs.put(portKey, port);
            save(i, withOutputs(records[i], outputs)); // durable before anything listens on it
        }
        values.put(Placeholders.PORT, port == null ? "0" : port);
        return values;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UnavailableException("no free loopback port for ${port}: " + e.getMessage(), null, e);
        }
    }

    private StepContext context(int i, int instance, String slot) {
        String service = order.get(i).name();
        return new InstanceContext(runId, service, instance, slot, rt.clock(), outputs -> {
            Map<String, String> merged = new HashMap<>(records[i].outputs()); // one writer: the step's task
            outputs.forEach((k, v) -> merged.put(instance + "." + k, v));
            save(i, withOutputs(records[i], merged));
        }, message -> emit(new DeploymentEvent.StepStateChanged(runId, now(), service, records[i].state(),
                message)), rt.logFolder(), order.get(i).resources(), ref -> secret(order.get(i), ref));
    }

    /** Resolves a reference the service's executor named for its settings; no other. */
    private Secret secret(ServiceSpec service, SecretRef ref) {
        StepExecutor executor = rt.executors().get(service.executor());
        if (executor == null || !executor.secretRefs(service.settings()).contains(ref)) {
            throw new NotFoundException("service '" + service.name() + "' has no setting that refers to " + ref,
                    null);
        }
        return rt.secrets().apply(ref);
    }

    /**
     * Undoes the instances of step {@code i} recorded in its outputs, all at once, then removes the undone ones from
     * the record (undoing is idempotent, so a crash before that write only undoes them again).
     */
    private void undoInstances(int i, boolean strict) {
        ServiceSpec service = order.get(i);
        StepExecutor executor = rt.executors().get(service.executor());
        String slot = records[i].outputs().getOrDefault(SLOT, "blue");
        List<Integer> instances = instancesOf(records[i]);
        Map<Integer, Future<?>> undoing = new HashMap<>();
        Set<Integer> undone = new HashSet<>();
        CodeException first = null;
        try (ExecutorService each = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int k : instances) {
                StepRecord one = instanceRecord(records[i], k);
                StepContext context = context(i, k, slot);
                undoing.put(k, each.submit(() -> executor.undo(one, context)));
            }
            for (int k : instances) {
                try {
                    undoing.get(k).get();
                    undone.add(k);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof CodeException failed)) {
                        throw e.getCause() instanceof RuntimeException r
                                ? r
                                : new IllegalStateException(e
                                        .getCause());
                    }
                    LOG.warn("run {}: undoing service '{}' instance {} failed: {}", runId, service.name(), k,
                            failed.getMessage());
                    if (first == null) {
                        first = failed;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new UnavailableException("interrupted while undoing service '" + service.name() + "'",
                            null, e);
                }
            }
        }
        if (!undone.isEmpty()) {
            Map<String, String> outputs = new HashMap<>(records[i].outputs());
            outputs.keySet().removeIf(key -> {
                int dot = key.indexOf('.');
                return dot > 0 && key.chars().limit(dot).allMatch(Character::isDigit) && undone.contains(Integer
                        .parseInt(key.substring(0, dot)));
            });
            save(i, withOutputs(records[i], outputs));
        }
        if (first != null && strict) {
            throw first;
        }
    }

    /** {@return whether a step may have started an instance that is not recorded yet} */
    private static boolean midStart(StepRecord record) {
        return record.state() == StepState.STARTING || record.state() == StepState.CHECKING_HEALTH;
    }

    /**
     * Stops what the instances of step {@code i} run without a record: an engine that died between a start and its
     * record left it. What an executor finds of a recorded instance is stopped too; its undo then finds it gone.
     */
    private void sweepUnrecorded(int i) {
        ServiceSpec service = order.get(i);
        StepExecutor executor = rt.executors().get(service.executor());
        String slot = records[i].outputs().getOrDefault(SLOT, "blue");
        for (int k = 0; k < service.instances(); k++) {
            try {
                executor.sweep(service.name(), service.settings(), context(i, k, slot));
            } catch (CodeException e) {
                LOG.warn("run {}: stopping an unrecorded start of '{}' instance {} failed: {}", runId, service
                        .name(), k, e.getMessage());
            }
        }
    }

    private void undoQuietly(int i) {
        try {
            undoInstances(i, false);
        } catch (CodeException e) {
            LOG.warn("run {}: cleaning up a failed try of '{}' failed: {}", runId, order.get(i).name(),
                    e.getMessage());
        }
    }

    private @Nullable StepRecord previousStep(String service) {
        if (previous == null) {
            return null;
        }
        StepRecord old = previous.steps().get(service);
        return old != null && old.state() == StepState.HEALTHY ? old : null;
    }

    private static String slotFor(ServiceSpec service, @Nullable StepRecord old) {
        if (old == null || service.rollout() == Rollout.ALL_AT_ONCE) {
            return "blue";
        }
        return "blue".equals(old.outputs().get(SLOT)) ? "green" : "blue";
    }

    /** Stops what the previous run runs of a service and marks its step undone there. */
    private void retire(String serviceName) {
        if (previous == null) {
            return;
        }
        StepRecord old = previous.steps().get(serviceName);
        if (old == null || old.state() != StepState.HEALTHY) {
            return;
        }
        ServiceSpec oldService = previous.spec().services().stream().filter(s -> s.name().equals(serviceName))
                .findFirst().orElseThrow();
        StepExecutor executor = rt.executors().get(oldService.executor());
        String slot = old.outputs().getOrDefault(SLOT, "blue");
        for (int k : instancesOf(old)) {
            try {
                executor.undo(instanceRecord(old, k), oldContext(old, k, slot));
            } catch (CodeException e) {
                LOG.warn("run {}: stopping the old '{}' instance {} of run {} failed: {}", runId, serviceName, k,
                        previous.runId(), e.getMessage());
            }
        }
        StepRecord retired = new StepRecord(old.runId(), old.service(), StepState.ROLLED_BACK, old.attempt(),
                old.startedAt(), now(), old.outputs(), "replaced by run " + runId);
        rt.journal().saveStep(retired, null);
        previous.steps().put(serviceName, retired);
        emit(new DeploymentEvent.StepStateChanged(runId, now(), serviceName, StepState.ROLLED_BACK,
                "stopped the instances that run " + previous.runId() + " started"));
    }

    private StepContext oldContext(StepRecord old, int instance, String slot) {
        return new InstanceContext(old.runId(), old.service(), instance, slot, rt.clock(), outputs -> {
        },
                message -> {
                }, rt.logFolder());
    }

    static boolean hasInstances(StepRecord record) {
        return !instancesOf(record).isEmpty();
    }

    /** {@return the instances a record holds outputs for: keys {@code <instance>.<name>}} */
    static List<Integer> instancesOf(StepRecord record) {
        TreeSet<Integer> instances = new TreeSet<>();
        for (String key : record.outputs().keySet()) {
            int dot = key.indexOf('.');
            if (dot > 0 && key.chars().limit(dot).allMatch(Character::isDigit)) {
                instances.add(Integer.parseInt(key.substring(0, dot)));
            }
        }
        return List.copyOf(instances);
    }

    /** {@return a record of one instance: its outputs without the instance prefix} */
    static StepRecord instanceRecord(StepRecord record, int instance) {
        String prefix = instance + ".";
        Map<String, String> outputs = new HashMap<>();
        record.outputs().forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                outputs.put(k.substring(prefix.length()), v);
            }
        });
        return withOutputs(record, outputs);
    }

    private static StepRecord withOutputs(StepRecord r, Map<String, String> outputs) {
        return new StepRecord(r.runId(), r.service(), r.state(), r.attempt(), r.startedAt(), r.finishedAt(), outputs,
                r.error());
    }

    static Duration backoff(RetryPolicy retry, int failedAttempt) {
        double base = retry.initialBackoff().toNanos() * Math.pow(retry.multiplier(), failedAttempt - 1);
        base = Math.min(base, retry.maxBackoff().toNanos());
        double jittered = base * (1 - retry.jitter()) + base * retry.jitter() * ThreadLocalRandom.current()
                .nextDouble();
        return Duration.ofNanos((long) jittered);
    }

    // ---------------------------------------------------------------- journal and events

    private void save(int i, StepRecord from, StepState to, int attempt, @Nullable String error) {
        Instant now = now();
        Instant started = from.startedAt() == null && to != StepState.PENDING && to != StepState.SKIPPED
                ? now
                : from.startedAt();
        boolean final_ = to == StepState.HEALTHY || to == StepState.FAILED || to == StepState.ROLLED_BACK
                || to == StepState.SKIPPED;
        StepRecord next = new StepRecord(runId, from.service(), to, attempt, started, final_ ? now : null, from
                .outputs(), error);
        DeploymentEvent changed = from.state() == to
                ? null
                : new DeploymentEvent.StepStateChanged(runId, now, from.service(), to, error == null
                        ? "attempt " + attempt
                        : error);
        save(i, next, changed);
    }

    private void save(int i, StepRecord next) {
        save(i, next, null);
    }

    /** Saves a step and, in the same transaction, the event that reports its change; then tells the listeners. */
    private void save(int i, StepRecord next, @Nullable DeploymentEvent event) {
        if (!rt.journal().saveStep(next, rt.owner(), event == null
                ? List.of()
                : List.of(DeploymentCloudEvents.of(
                        event, rt.owner())))) {
            throw new LeaseLost();
        }
        synchronized (this) {
            records[i] = next;
        }
        if (event != null) {
            tell(event);
        }
    }

    private void transition(RunState from, RunState to) {
        Instant now = now();
        DeploymentEvent event = new DeploymentEvent.RunStateChanged(runId, now, to);
        if (!rt.journal().transition(runId, from, to, now, rt.owner(), List.of(DeploymentCloudEvents.of(event, rt
                .owner())))) {
            throw new LeaseLost();
        }
        synchronized (this) {
            state = to;
        }
        tell(event);
    }

    private Instant now() {
        return rt.clock().instant();
    }

    /** Reports a change the journal does not keep: the event goes to the outbox on its own, then to the listeners. */
    private void emit(DeploymentEvent event) {
        try {
            rt.journal().record(List.of(DeploymentCloudEvents.of(event, rt.owner())));
        } catch (RuntimeException e) {
            LOG.warn("the event {} of run {} could not be written to the outbox: {}", event.getClass().getSimpleName(),
                    runId, e.getMessage());
        }
        tell(event);
    }

    /** Tells the run's listeners of an event. */
    private void tell(DeploymentEvent event) {
        synchronized (events) {
            events.add(event);
            for (Consumer<DeploymentEvent> listener : listeners) {
                try {
                    listener.accept(event);
                } catch (RuntimeException e) {
                    LOG.warn("a listener of run {} threw on {}", runId, event, e);
                }
            }
        }
    }

    // ---------------------------------------------------------------- RunHandle

    @Override
    public String runId() {
        return runId;
    }

    DeploymentSpec spec() {
        return spec;
    }

    @Override
    public synchronized RunState state() {
        return state;
    }

    @Override
    public synchronized List<StepRecord> steps() {
        return List.of(records);
    }

    @Override
    public void onEvent(Consumer<DeploymentEvent> listener) {
        synchronized (events) {
            events.forEach(e -> {
                try {
                    listener.accept(e);
                } catch (RuntimeException ex) {
                    LOG.warn("a listener of run {} threw on {}", runId, e, ex);
                }
            });
            listeners.add(listener);
        }
    }

    @Override
    public RunState await(Duration timeout) {
        try {
            return done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new DeadlineExceededException("run " + runId + " is still " + state() + " after " + timeout,
                    null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadlineExceededException("interrupted while waiting for run " + runId, null, e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof CodeException c
                    ? c
                    : new UnavailableException("run " + runId
                            + " stopped: " + e.getCause(), null, e.getCause());
        }
    }

    @Override
    public String toString() {
        return "Run[" + runId + ", " + spec.name() + " to " + spec.environment() + ", " + state() + "]";
    }
}
