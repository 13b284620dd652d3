package org.codeengine.core.internal.agents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;

/**
 * The audit entries of one agent run: each is handed to the audit log without waiting for its commit (which then
 * overlaps the model's and the tools' work), and {@link #settle} waits for all of them before the run's journal
 * records anything after them. So the log holds every entry of what a run did before the journal moves past it,
 * without a commit's wait on each permission check and tool call.
 */
public final class RunAudit implements DefaultOrchestrator.Audit {
    /** Appends an entry to the audit log; the future completes once it is committed. */
    @FunctionalInterface
    public interface Appender {
        CompletableFuture<?> append(String principal, String action, String target, Outcome outcome, String detail);
    }

    private final Appender log;
    private final List<CompletableFuture<?>> unsettled = new ArrayList<>();

    RunAudit(Appender log) {
        this.log = log;
    }

    @Override
    public void record(String principal, String action, String target, Outcome outcome, String detail) {
        CompletableFuture<?> committed = log.append(principal, action, target, outcome, detail);
        synchronized (unsettled) {
            unsettled.add(committed);
        }
    }

    /**
     * Waits until every entry recorded so far is committed.
     *
     * @throws RuntimeException the first entry's failure (the store's exception), after all were waited for
     */
    void settle() {
        List<CompletableFuture<?>> waiting;
        synchronized (unsettled) {
            if (unsettled.isEmpty()) {
                return;
            }
            waiting = List.copyOf(unsettled);
            unsettled.clear();
        }
        RuntimeException failed = null;
        for (CompletableFuture<?> entry : waiting) {
            try {
                entry.join();
            } catch (CompletionException e) {
                if (failed == null) {
                    failed = e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
