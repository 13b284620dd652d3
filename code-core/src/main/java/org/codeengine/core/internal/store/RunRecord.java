package org.codeengine.core.internal.store;

import java.time.Instant;
import org.codeengine.api.orchestrator.RunState;
import org.jspecify.annotations.Nullable;

/**
 * A deployment run as the store keeps it.
 *
 * @param spec the deployment spec as JSON; empty in lists of runs
 * @param leaseOwner the process working on the run, or null
 * @param leaseUntil until when that process holds it, or null
 */
public record RunRecord(String runId, String name, String environment, RunState state, String spec,
        Instant createdAt, Instant updatedAt, @Nullable String leaseOwner, @Nullable Instant leaseUntil) {}
