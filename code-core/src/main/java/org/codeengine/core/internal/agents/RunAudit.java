package org.codeengine.core.internal.agents;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;
import org.codeengine.core.internal.store.AuditLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit entries of one agent run. Each waits for the run's next journal write, which appends it to the audit log
 * in its own transaction ({@link #take}): the log holds every entry of what the journal records, committed with it, and
 * a run pays no commit of its own for its audit. Entries recorded after the run's last write, and those of a write
 * that failed, go to the log on their own ({@link #apart}).
 */
public final class RunAudit implements DefaultOrchestrator.Audit {
    /** Appends an entry to the audit log; the future completes once it is committed. */
    @FunctionalInterface
    public interface Appender {
        CompletableFuture<?> append(String principal, String action, String target, Outcome outcome, String detail);
    }

    private static final Logger LOG = LoggerFactory.getLogger(RunAudit.class);
    private final Appender log;
    /** Guarded by itself. */
    private final List<AuditLog.Draft> waiting = new ArrayList<>();
    /** Whether the run wrote its journal for the last time: entries go to the log at once. Guarded by waiting. */
    private boolean ended;

    RunAudit(Appender log) {
        this.log = log;
    }

    @Override
    public void record(String principal, String action, String target, Outcome outcome, String detail) {
        AuditLog.Draft entry = new AuditLog.Draft(principal, action, target, outcome, detail);
        synchronized (waiting) {
            if (!ended) {
                waiting.add(entry);
                return;
            }
        }
        apart(List.of(entry));
    }

    /** {@return the entries recorded since the last call, for the journal write that appends them} */
    List<AuditLog.Draft> take() {
        synchronized (waiting) {
            List<AuditLog.Draft> taken = List.copyOf(waiting);
            waiting.clear();
            return taken;
        }
    }

    /** From now on entries go to the log at once; those still waiting go now. */
    void end() {
        List<AuditLog.Draft> left;
        synchronized (waiting) {
            ended = true;
            left = take();
        }
        apart(left);
    }

    /** Appends entries through the log's own commits: no journal write will carry them. */
    void apart(List<AuditLog.Draft> entries) {
        for (AuditLog.Draft e : entries) {
            log.append(e.principal(), e.action(), e.target(), e.outcome(), e.detail()).whenComplete((done,
                    failed) -> {
                if (failed != null) {
                    LOG.warn("An audit entry of an agent run ({} {} {}) could not be appended: {}", e.action(), e
                            .target(), e.outcome(), failed.getMessage());
                }
            });
        }
    }
}
