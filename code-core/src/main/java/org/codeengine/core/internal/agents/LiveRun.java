package org.codeengine.core.internal.agents;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.agents.AgentEvent;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.AgentRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The handle of a run: its events so far, its listeners, and its result once it ends. */
final class LiveRun implements AgentRun {
    private static final Logger LOG = LoggerFactory.getLogger(LiveRun.class);
    private final String runId;
    private final String principal;
    private final List<AgentEvent> events = new ArrayList<>();
    private final List<Consumer<AgentEvent>> listeners = new ArrayList<>();
    private final CompletableFuture<AgentResult> result = new CompletableFuture<>();
    private volatile Runnable canceller = () -> {
    };

    LiveRun(String runId, String principal) {
        this.runId = runId;
        this.principal = principal;
    }

    /** A handle of a run that has ended already. */
    static LiveRun ended(AgentResult result, String principal) {
        LiveRun run = new LiveRun(result.runId(), principal);
        run.finish(result);
        return run;
    }

    String principal() {
        return principal;
    }

    void onCancel(Runnable action) {
        this.canceller = action;
    }

    synchronized void emit(AgentEvent event) {
        events.add(event);
        for (Consumer<AgentEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("A listener of agent run {} failed on {}: {}", runId, event.getClass().getSimpleName(), e
                        .toString());
            }
        }
    }

    void finish(AgentResult ended) {
        emit(new AgentEvent.Stopped(runId, ended));
        result.complete(ended);
    }

    @Override
    public String runId() {
        return runId;
    }

    @Override
    public synchronized void onEvent(Consumer<AgentEvent> listener) {
        if (listener == null) {
            throw new IllegalArgumentException("listener must not be null");
        }
        for (AgentEvent past : events) {
            listener.accept(past);
        }
        listeners.add(listener);
    }

    @Override
    public Optional<AgentResult> result() {
        return Optional.ofNullable(result.getNow(null));
    }

    @Override
    public AgentResult await(Duration timeout) {
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new DeadlineExceededException("agent run " + runId + " is still going after " + timeout, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadlineExceededException("interrupted while waiting for agent run " + runId, null, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("agent run " + runId + " failed", e.getCause());
        }
    }

    @Override
    public void cancel() {
        if (!result.isDone()) {
            canceller.run();
        }
    }
}
