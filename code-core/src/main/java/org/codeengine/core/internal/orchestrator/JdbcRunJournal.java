package org.codeengine.core.internal.orchestrator;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.core.internal.store.Outbox;
import org.codeengine.core.internal.store.RunRecord;
import org.codeengine.core.internal.store.RunRepository;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journal in the JDBC store: H2 or PostgreSQL. Step writes are group-committed: a writer thread commits all the
 * writes that arrived while the previous commit was in flight in one transaction, and each caller returns only once
 * its own write is committed. A lone write waits for nothing; many steps starting at once share a commit.
 *
 * <p>The writes a run makes while it deploys (its steps and state changes) ride out an outage of the store: one that
 * fails because the store cannot be reached is tried again, with backoff, until the outage has lasted longer than a
 * bound. The run's services are left as they are meanwhile; the run fails only when the bound is passed.
 */
public final class JdbcRunJournal implements RunJournal {
    private static final int MAX_BATCH = 256;
    private static final Logger LOG = LoggerFactory.getLogger(JdbcRunJournal.class);
    /** How long writes are tried again through an outage of the store unless told otherwise. */
    public static final Duration DEFAULT_OUTAGE_BOUND = Duration.ofMinutes(2);
    private static final Duration FIRST_PAUSE = Duration.ofMillis(100);
    private static final Duration LONGEST_PAUSE = Duration.ofSeconds(5);

    private record Pending(StepRecord step, List<CloudEvent> events, String owner,
            CompletableFuture<Boolean> written) {}

    /** Writes the steps of one owner in one transaction; returns for each whether it was written. */
    @FunctionalInterface
    interface StepWriter {
        boolean[] write(List<StepRecord> steps, List<List<CloudEvent>> events, String owner);
    }

    private final RunRepository runs;
    private final @Nullable Outbox outbox;
    private final StepWriter steps;
    private final Duration outageBound;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Guards {@link #closed} against writes being queued: once it is set, nothing more is queued. */
    private final Object queueing = new Object();
    private final Thread writer;
    /** Set by close() and by the writer when it stops; then writes go to the store directly. */
    private volatile boolean closed;

    public JdbcRunJournal(RunRepository runs) {
        this(runs, DEFAULT_OUTAGE_BOUND);
    }

    /**
     * @param outbox where events that report no stored change go
     * @param outageBound how long a write is tried again while the store cannot be reached; zero tries once
     * @throws IllegalArgumentException if {@code outageBound} is negative
     */
    public JdbcRunJournal(RunRepository runs, Outbox outbox, Duration outageBound) {
        this(runs, outbox, runs::updateSteps, outageBound);
    }

    /**
     * @param outageBound how long a write is tried again while the store cannot be reached; zero tries once
     * @throws IllegalArgumentException if {@code outageBound} is negative
     */
    public JdbcRunJournal(RunRepository runs, Duration outageBound) {
        this(runs, null, runs::updateSteps, outageBound);
    }

    /** @param steps how group commits are written; a test may put a failing one in */
    JdbcRunJournal(RunRepository runs, StepWriter steps) {
        this(runs, steps, DEFAULT_OUTAGE_BOUND);
    }

    /** @param steps how group commits are written; a test may put a failing one in */
    JdbcRunJournal(RunRepository runs, StepWriter steps, Duration outageBound) {
        this(runs, null, steps, outageBound);
    }

    private JdbcRunJournal(RunRepository runs, @Nullable Outbox outbox, StepWriter steps, Duration outageBound) {
        if (outageBound.isNegative()) {
            throw new IllegalArgumentException("outageBound must not be negative but was " + outageBound);
        }
        this.runs = runs;
        this.outbox = outbox;
        this.steps = steps;
        this.outageBound = outageBound;
        this.writer = Thread.ofVirtual().name("code-journal-writer").start(this::write);
    }

    private void write() {
        try {
            List<Pending> batch = new ArrayList<>();
            while (true) {
                Pending first;
                try {
                    first = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    break;
                }
                if (first == null) {
                    if (closed && queue.isEmpty()) {
                        break; // nothing is queued once closed is set, so nothing can come now
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH - 1);
                commit(batch);
                batch.clear();
            }
        } finally {
            // however the writer stops, no caller is left waiting: what is queued fails, later writes go direct
            List<Pending> left = new ArrayList<>();
            synchronized (queueing) {
                closed = true;
                queue.drainTo(left);
            }
            left.forEach(p -> p.written().completeExceptionally(new UnavailableException(
                    "the run journal stopped before it saved step " + p.step().service() + " of run " + p.step()
                            .runId(),
                    null, null)));
        }
    }

    private void commit(List<Pending> batch) {
        Map<String, List<Pending>> byOwner = new HashMap<>();
        batch.forEach(p -> byOwner.computeIfAbsent(p.owner(), o -> new ArrayList<>()).add(p));
        for (Map.Entry<String, List<Pending>> group : byOwner.entrySet()) {
            List<Pending> pending = group.getValue();
            try {
                boolean[] written = steps.write(pending.stream().map(Pending::step).toList(), pending.stream()
                        .map(Pending::events).toList(), group.getKey());
                for (int i = 0; i < pending.size(); i++) {
                    pending.get(i).written().complete(written[i]);
                }
            } catch (RuntimeException e) {
                pending.forEach(p -> p.written().completeExceptionally(e));
            } catch (Error e) { // the writer goes on; its callers must not wait for ever
                UnavailableException failed = new UnavailableException("saving " + pending.size()
                        + " steps failed: " + e, null, e);
                pending.forEach(p -> p.written().completeExceptionally(failed));
            }
        }
    }

    @Override
    public void create(RunRecord run, List<StepRecord> steps) {
        runs.create(run, steps);
    }

    @Override
    public Optional<String> createUnlessBusy(RunRecord run, List<StepRecord> steps) {
        return runs.createUnlessBusy(run, steps);
    }

    @Override
    public Optional<RunRecord> find(String runId) {
        return runs.find(runId);
    }

    @Override
    public List<StepRecord> steps(String runId) {
        return runs.steps(runId);
    }

    @Override
    public List<RunRecord> list(int limit) {
        return runs.list(limit);
    }

    /**
     * Runs a store write, and runs it again while it fails because the store cannot be reached (the database's error
     * mapped to {@link UnavailableException}), with backoff, until
     * the outage has lasted {@link #outageBound}; then the last failure goes on to the caller.
     */
    private <T> T riding(String what, Supplier<T> write) {
        long began = System.nanoTime();
        Duration pause = FIRST_PAUSE;
        boolean told = false;
        while (true) {
            try {
                T result = write.get();
                if (told) {
                    LOG.info("{}: the store answers again after {} s", what, Duration.ofNanos(System.nanoTime()
                            - began).toSeconds());
                }
                return result;
            } catch (UnavailableException e) {
                Duration left = outageBound.minusNanos(System.nanoTime() - began);
                if (!(e.getCause() instanceof SQLException) || left.isNegative() || left.isZero()) {
                    throw e;
                }
                if (!told) {
                    told = true;
                    LOG.warn("{} failed, the store cannot be reached; trying again for up to {} s: {}", what,
                            outageBound.toSeconds(), e.getMessage());
                }
                try {
                    Thread.sleep(pause.compareTo(left) < 0 ? pause : left);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pause = pause.multipliedBy(2).compareTo(LONGEST_PAUSE) < 0 ? pause.multipliedBy(2) : LONGEST_PAUSE;
            }
        }
    }

    @Override
    public boolean saveStep(StepRecord step, @Nullable String owner) {
        return saveStep(step, owner, List.of());
    }

    @Override
    public boolean saveStep(StepRecord step, @Nullable String owner, List<CloudEvent> events) {
        return riding("saving step " + step.service() + " of run " + step.runId(), () -> saveStepOnce(step, owner,
                events));
    }

    @Override
    public void record(List<CloudEvent> events) {
        if (outbox != null && !events.isEmpty()) {
            riding("writing " + events.size() + " events", () -> {
                outbox.append(events);
                return null;
            });
        }
    }

    private boolean saveStepOnce(StepRecord step, @Nullable String owner, List<CloudEvent> events) {
        if (owner == null) {
            return runs.updateStep(step, null, events);
        }
        Pending pending = new Pending(step, events, owner, new CompletableFuture<>());
        synchronized (queueing) {
            if (!closed) {
                queue.add(pending); // the writer completes it: it commits it, or fails it when it stops
            } else {
                pending = null;
            }
        }
        if (pending == null) {
            return runs.updateStep(step, owner, events); // closed, or the writer stopped: write directly
        }
        try {
            return pending.written().join(); // not interruptible: a write is never abandoned half-way
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    @Override
    public void close() {
        synchronized (queueing) {
            closed = true; // the writer commits what is queued and stops; it is never interrupted mid-write
        }
        try {
            writer.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean transition(String runId, RunState from, RunState to, Instant now, @Nullable String owner) {
        return transition(runId, from, to, now, owner, List.of());
    }

    @Override
    public boolean transition(String runId, RunState from, RunState to, Instant now, @Nullable String owner,
            List<CloudEvent> events) {
        boolean[] tried = {false};
        return riding("moving run " + runId + " to " + to, () -> {
            if (tried[0] && moved(runId, to, owner)) {
                return true; // the try that failed was committed, only its answer was lost
            }
            tried[0] = true;
            return runs.transition(runId, from, to, now, owner, events);
        });
    }

    private boolean moved(String runId, RunState to, @Nullable String owner) {
        return runs.find(runId).filter(r -> r.state() == to && (owner == null || owner.equals(r.leaseOwner())))
                .isPresent();
    }

    @Override
    public boolean claim(String runId, String owner, Instant now, Duration lease) {
        return runs.claim(runId, owner, now, lease);
    }

    @Override
    public boolean takeOver(String runId, String holder, String owner, Instant now, Duration lease) {
        return runs.takeOver(runId, holder, owner, now, lease);
    }

    @Override
    public List<RunRecord> heldUnfinished(Instant now, int limit) {
        return runs.heldUnfinished(now, limit);
    }

    @Override
    public List<String> claimUnfinished(String owner, Instant now, Duration lease, int limit) {
        return runs.claimUnfinished(owner, now, lease, limit);
    }

    @Override
    public List<String> renew(String owner, Collection<String> runIds, Instant until) {
        return runs.renew(owner, runIds, until);
    }

    @Override
    public void release(String runId, String owner) {
        runs.release(runId, owner);
    }

    @Override
    public Optional<RunRecord> latestSucceeded(String name, String environment, String except) {
        return runs.latestSucceeded(name, environment, except);
    }
}
