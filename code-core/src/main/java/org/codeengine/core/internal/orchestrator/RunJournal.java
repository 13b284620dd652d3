package org.codeengine.core.internal.orchestrator;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.core.internal.store.RunRecord;
import org.jspecify.annotations.Nullable;

/**
 * Where the orchestrator writes each transition before it acts on it. Writes by a lease holder are fenced: they fail
 * once another process has taken the run over.
 */
public interface RunJournal extends AutoCloseable {
    /** Inserts a new run, held by its lease owner, with its steps in plan order. */
    void create(RunRecord run, List<StepRecord> steps);

    /**
     * Inserts a new run like {@link #create}, unless another run of the same deployment (name and environment) is
     * unfinished; two engines creating runs of one deployment at once never both succeed.
     *
     * @return empty if the run was created; otherwise the id of the unfinished run that kept it from being created
     */
    Optional<String> createUnlessBusy(RunRecord run, List<StepRecord> steps);

    Optional<RunRecord> find(String runId);

    List<StepRecord> steps(String runId);

    /** {@return the newest runs first, without steps} */
    List<RunRecord> list(int limit);

    /** {@return whether the step was written; false when {@code owner} (if not null) no longer holds the run} */
    boolean saveStep(StepRecord step, @Nullable String owner);

    /** {@return whether the run moved; false when it was not in {@code from} or {@code owner} no longer holds it} */
    boolean transition(String runId, RunState from, RunState to, Instant now,
            @Nullable String owner);

    /**
     * Saves a step like {@link #saveStep(StepRecord, String)} and, where the journal is a store with an outbox,
     * writes the events that report the change in the same transaction. By default the events are dropped: a journal
     * without a store has no outbox.
     */
    default boolean saveStep(StepRecord step, @Nullable String owner, List<CloudEvent> events) {
        return saveStep(step, owner);
    }

    /** Moves a run like {@link #transition(String, RunState, RunState, Instant, String)}, with its events. */
    default boolean transition(String runId, RunState from, RunState to, Instant now, @Nullable String owner,
            List<CloudEvent> events) {
        return transition(runId, from, to, now, owner);
    }

    /** Writes events that report no stored change (a health probe's result) to the outbox; by default nothing. */
    default void record(List<CloudEvent> events) {}

    boolean claim(String runId, String owner, Instant now, Duration lease);

    /**
     * Takes the lease of a run from {@code holder}, whatever its expiry, if {@code holder} still holds it: for a holder
     * known to be gone.
     *
     * @return whether {@code owner} holds the run now, until {@code now + lease}
     */
    boolean takeOver(String runId, String holder, String owner, Instant now, Duration lease);

    /** {@return up to {@code limit} unfinished runs whose lease someone holds at {@code now}, oldest first} */
    List<RunRecord> heldUnfinished(Instant now, int limit);

    List<String> claimUnfinished(String owner, Instant now, Duration lease, int limit);

    /** {@return the runs whose lease {@code owner} has lost} */
    List<String> renew(String owner, Collection<String> runIds, Instant until);

    void release(String runId, String owner);

    Optional<RunRecord> latestSucceeded(String name, String environment, String except);

    /** Stops what the journal runs in the background; by default nothing. */
    @Override
    default void close() {}
}
