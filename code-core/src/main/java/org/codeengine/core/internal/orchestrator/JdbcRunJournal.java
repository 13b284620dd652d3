package org.codeengine.core.internal.orchestrator;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.core.internal.store.RunRecord;
import org.codeengine.core.internal.store.RunRepository;
import org.jspecify.annotations.Nullable;

/** The journal in the JDBC store: H2 or PostgreSQL. */
public final class JdbcRunJournal implements RunJournal {
    private final RunRepository runs;

    public JdbcRunJournal(RunRepository runs) {
        this.runs = runs;
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
        return runs.updateStep(step, owner);
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
