package org.codeengine.core.internal.orchestrator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.core.internal.store.RunRecord;
import org.jspecify.annotations.Nullable;

/**
 * A journal that lives and dies with the process: no durability, for embedding where a run need not survive a
 * restart, and the baseline the scheduling benchmark measures the orchestrator's own overhead against. It keeps the
 * last {@value #KEEP_ENDED} runs that ended; older ones are forgotten.
 */
public final class MemoryRunJournal implements RunJournal {
    static final int KEEP_ENDED = 256;
    /** The runs that ended, the longest ended first; each once, and only while it is ended. */
    private final LinkedHashSet<String> ended = new LinkedHashSet<>();
    private final Map<String, RunRecord> runs = new HashMap<>();
    private final Map<String, Map<String, StepRecord>> steps = new HashMap<>();
    private final Map<String, List<String>> order = new HashMap<>();

    @Override
    public synchronized void create(RunRecord run, List<StepRecord> runSteps) {
        if (runs.putIfAbsent(run.runId(), run) != null) {
            throw new IllegalStateException("run " + run.runId() + " exists");
        }
        Map<String, StepRecord> byService = HashMap.newHashMap(runSteps.size());
        runSteps.forEach(step -> byService.put(step.service(), step));
        steps.put(run.runId(), byService);
        order.put(run.runId(), runSteps.stream().map(StepRecord::service).toList());
    }

    @Override
    public synchronized Optional<String> createUnlessBusy(RunRecord run, List<StepRecord> runSteps) {
        Optional<String> busy = runs.values().stream().filter(r -> !r.state().terminal() && r.name().equals(run
                .name()) && r.environment().equals(run.environment())).min(Comparator.comparing(RunRecord::createdAt)
                        .thenComparing(RunRecord::runId))
                .map(RunRecord::runId);
        if (busy.isEmpty()) {
            create(run, runSteps);
        }
        return busy;
    }

    @Override
    public synchronized Optional<RunRecord> find(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public synchronized List<StepRecord> steps(String runId) {
        Map<String, StepRecord> byService = steps.getOrDefault(runId, Map.of());
        return order.getOrDefault(runId, List.of()).stream().map(byService::get).toList();
    }

    @Override
    public synchronized List<RunRecord> list(int limit) {
        return runs.values().stream().sorted(Comparator.comparing(RunRecord::createdAt).reversed()).limit(limit)
                .toList();
    }

    @Override
    public synchronized boolean saveStep(StepRecord step, @Nullable String owner) {
        RunRecord run = runs.get(step.runId());
        if (run == null || (owner != null && !owner.equals(run.leaseOwner()))) {
            return false;
        }
        steps.get(step.runId()).put(step.service(), step);
        return true;
    }

    @Override
    public synchronized boolean transition(String runId, RunState from, RunState to, Instant now,
            @Nullable String owner) {
        RunRecord run = runs.get(runId);
        if (run == null || run.state() != from || (owner != null && !owner.equals(run.leaseOwner()))) {
            return false;
        }
        runs.put(runId, new RunRecord(runId, run.name(), run.environment(), to, run.spec(), run.createdAt(), now,
                run.leaseOwner(), run.leaseUntil()));
        if (!to.terminal()) {
            ended.remove(runId); // a run that ended is being rolled back: never forgotten while it runs
        } else if (!from.terminal()) {
            ended.add(runId);
            Iterator<String> oldest = ended.iterator();
            while (ended.size() > KEEP_ENDED) {
                String forget = oldest.next();
                oldest.remove();
                runs.remove(forget);
                steps.remove(forget);
                order.remove(forget);
            }
        }
        return true;
    }

    @Override
    public synchronized boolean claim(String runId, String owner, Instant now, Duration lease) {
        RunRecord run = runs.get(runId);
        if (run == null || !free(run, owner, now)) {
            return false;
        }
        lease(run, owner, now.plus(lease));
        return true;
    }

    @Override
    public synchronized boolean takeOver(String runId, String holder, String owner, Instant now, Duration lease) {
        RunRecord run = runs.get(runId);
        if (run == null || !holder.equals(run.leaseOwner())) {
            return false;
        }
        lease(run, owner, now.plus(lease));
        return true;
    }

    @Override
    public synchronized List<RunRecord> heldUnfinished(Instant now, int limit) {
        return runs.values().stream().filter(r -> !r.state().terminal() && r.leaseOwner() != null && r
                .leaseUntil() != null && !r.leaseUntil().isBefore(now)).sorted(Comparator.comparing(
                        RunRecord::createdAt).thenComparing(RunRecord::runId))
                .limit(limit).toList();
    }

    @Override
    public synchronized List<String> claimUnfinished(String owner, Instant now, Duration lease, int limit) {
        List<String> claimed = new ArrayList<>();
        for (RunRecord run : runs.values()) {
            if (claimed.size() < limit && !run.state().terminal() && (run.leaseUntil() == null
                    || run.leaseUntil().isBefore(now))) {
                lease(run, owner, now.plus(lease));
                claimed.add(run.runId());
            }
        }
        return claimed;
    }

    @Override
    public synchronized List<String> renew(String owner, Collection<String> runIds, Instant until) {
        List<String> lost = new ArrayList<>();
        for (String runId : runIds) {
            RunRecord run = runs.get(runId);
            if (run == null || !owner.equals(run.leaseOwner())) {
                lost.add(runId);
            } else {
                lease(run, owner, until);
            }
        }
        return lost;
    }

    @Override
    public synchronized void release(String runId, String owner) {
        RunRecord run = runs.get(runId);
        if (run != null && owner.equals(run.leaseOwner())) {
            runs.put(runId, new RunRecord(runId, run.name(), run.environment(), run.state(), run.spec(),
                    run.createdAt(), run.updatedAt(), null, null));
        }
    }

    @Override
    public synchronized Optional<RunRecord> latestSucceeded(String name, String environment, String except) {
        return runs.values().stream()
                .filter(r -> r.name().equals(name) && r.environment().equals(environment)
                        && r.state() == RunState.SUCCEEDED && !r.runId().equals(except))
                .max(Comparator.comparing(RunRecord::createdAt));
    }

    private static boolean free(RunRecord run, String owner, Instant now) {
        return run.leaseOwner() == null || Objects.equals(run.leaseOwner(), owner)
                || (run.leaseUntil() != null && run.leaseUntil().isBefore(now));
    }

    private void lease(RunRecord run, String owner, Instant until) {
        runs.put(run.runId(), new RunRecord(run.runId(), run.name(), run.environment(), run.state(), run.spec(),
                run.createdAt(), run.updatedAt(), owner, until));
    }
}
