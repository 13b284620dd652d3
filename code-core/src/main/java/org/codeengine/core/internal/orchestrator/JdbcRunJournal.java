package org.codeengine.core.internal.orchestrator;

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
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.core.internal.store.RunRecord;
import org.codeengine.core.internal.store.RunRepository;
import org.jspecify.annotations.Nullable;

/**
 * The journal in the JDBC store: H2 or PostgreSQL. Step writes are group-committed: a writer thread commits all the
 * writes that arrived while the previous commit was in flight in one transaction, and each caller returns only once
 * its own write is committed. A lone write waits for nothing; many steps starting at once share a commit.
 */
public final class JdbcRunJournal implements RunJournal {
    private static final int MAX_BATCH = 256;

    private record Pending(StepRecord step, String owner, CompletableFuture<Boolean> written) {}

    /** Writes the steps of one owner in one transaction; returns for each whether it was written. */
    @FunctionalInterface
    interface StepWriter {
        boolean[] write(List<StepRecord> steps, String owner);
    }

    private final RunRepository runs;
    private final StepWriter steps;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    /** Guards {@link #closed} against writes being queued: once it is set, nothing more is queued. */
    private final Object queueing = new Object();
    private final Thread writer;
    /** Set by close() and by the writer when it stops; then writes go to the store directly. */
    private volatile boolean closed;

    public JdbcRunJournal(RunRepository runs) {
        this(runs, runs::updateSteps);
    }

    /** @param steps how group commits are written; a test may put a failing one in */
    JdbcRunJournal(RunRepository runs, StepWriter steps) {
        this.runs = runs;
        this.steps = steps;
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
                boolean[] written = steps.write(pending.stream().map(Pending::step).toList(), group.getKey());
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

    @Override
    public boolean saveStep(StepRecord step, @Nullable String owner) {
        if (owner == null) {
            return runs.updateStep(step, null);
        }
        Pending pending = new Pending(step, owner, new CompletableFuture<>());
        synchronized (queueing) {
            if (!closed) {
                queue.add(pending); // the writer completes it: it commits it, or fails it when it stops
            } else {
                pending = null;
            }
        }
        if (pending == null) {
            return runs.updateStep(step, owner); // closed, or the writer stopped: write directly
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
        return runs.transition(runId, from, to, now, owner);
    }

    @Override
    public boolean claim(String runId, String owner, Instant now, Duration lease) {
        return runs.claim(runId, owner, now, lease);
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
