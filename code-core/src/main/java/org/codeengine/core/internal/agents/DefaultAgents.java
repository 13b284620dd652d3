package org.codeengine.core.internal.agents;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.AgentRun;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Agents;
import org.codeengine.api.agents.GateKeeper;
import org.codeengine.api.agents.StopReason;
import org.codeengine.api.agents.ToolOutcome;
import org.codeengine.api.agents.Transcript;
import org.codeengine.api.agents.Turn;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.core.internal.gate.Gates;
import org.codeengine.core.internal.observe.Telemetry;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;
import org.codeengine.core.internal.store.AgentRunRepository;
import org.codeengine.core.internal.store.AgentRunRepository.CallRow;
import org.codeengine.core.internal.store.AgentRunRepository.TurnRow;
import org.codeengine.core.internal.store.AuditLog;
import org.codeengine.core.internal.store.TimeOrderedIds;
import org.codeengine.core.internal.tools.DefaultToolRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agents face: checks the caller ({@code agent:run:<name>}), opens the brain, journals the run and hands it to an
 * {@link AgentLoop} on the engine's executor; resumes a run from its journal under a lease, so that two engines never
 * run one run at once.
 */
public final class DefaultAgents implements Agents, AutoCloseable {
    /**
     * What the agents face needs of the engine.
     *
     * @param journal the store's agent journal
     * @param tools the tool providers the engine serves
     * @param security the engine's security, which every check starts from
     * @param audit writes audit entries and waits for their commit
     * @param auditLog appends audit entries of runs that no journal write carries (after a run's end, or of a write
     *        that failed)
     * @param clock the engine's clock
     * @param executor runs the loops and the parallel calls of one turn
     * @param models how brains reach their models
     * @param gateKeeper makes panel confirmers, or null when the host gave none
     * @param owner this engine's name on leases
     * @param lease how long a run stays with this engine unless renewed; renewed every third of it while it runs
     * @param gone whether a lease owner's process is gone from this host
     */
    public record Deps(AgentRunRepository journal, Supplier<List<ToolProvider>> tools, SecurityFacade security,
            DefaultOrchestrator.Audit audit, RunAudit.Appender auditLog, Clock clock, ExecutorService executor,
            BrainLink.Models models,
            @Nullable GateKeeper gateKeeper, String owner, Duration lease, Predicate<String> gone,
            Telemetry telemetry) {}

    private static final Logger LOG = LoggerFactory.getLogger(DefaultAgents.class);
    private final Deps deps;
    private final Map<String, LiveRun> live = new ConcurrentHashMap<>();
    /** Renews the leases of the runs going on here, so that a long model reply or tool call keeps its run. */
    private final Thread keeper;
    private final Object keeperLock = new Object();
    private boolean closed;
    /** One connection per brain, shared by its runs (provider clients are thread-safe), closed with the engine. */
    private final Map<org.codeengine.api.agents.Brain, BrainLink> brains = new ConcurrentHashMap<>();

    public DefaultAgents(Deps deps) {
        this.deps = deps;
        this.keeper = Thread.ofVirtual().name("code-agent-leases").start(this::keepLeases);
    }

    /**
     * Every third of the lease, renews the leases of the runs going on here; a run whose lease another engine took
     * (this engine could not reach the store for a whole lease) is cancelled here, its journal fenced from this engine.
     */
    private void keepLeases() {
        long every = Math.max(1, deps.lease().toNanos() / 3);
        while (true) {
            synchronized (keeperLock) {
                long until = System.nanoTime() + every;
                for (long left = every; !closed && left > 0; left = until - System.nanoTime()) {
                    try {
                        keeperLock.wait(Math.max(1, left / 1_000_000));
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
            }
            List<String> running = List.copyOf(live.keySet());
            try {
                Instant now = deps.clock().instant();
                for (String lost : deps.journal().renew(deps.owner(), running, now.plus(deps.lease()))) {
                    LiveRun run = live.get(lost);
                    if (run != null && run.result().isEmpty()) {
                        LOG.warn("Agent run {} is no longer held by this engine; it stops here", lost);
                        run.cancel();
                    }
                }
            } catch (CodeException e) {
                LOG.warn("Could not renew the leases of {} agent runs: {}", running.size(), e.getMessage());
            }
        }
    }

    /** {@return how brains reach models: the given configurations, panels, plugins and secret resolver} */
    public static BrainLink.Models models(Map<String, org.codeengine.api.spi.ExpertProvider> providers,
            Map<String, org.codeengine.api.spi.ProviderConfig> configs,
            Map<String, org.codeengine.api.experts.ExpertPanel> panels,
            java.util.function.Function<org.codeengine.api.security.SecretRef, org.codeengine.api.Secret> secrets) {
        return new BrainLink.Models(Map.copyOf(providers), Map.copyOf(configs), Map.copyOf(panels), secrets);
    }

    /** {@return the permission running {@code agent} needs} */
    public static Permission permission(String agent) {
        return new Permission("agent", "run", agent);
    }

    @Override
    public AgentRun run(CallContext context, AgentSpec spec, String task, @Nullable Confirmer person) {
        check(context, spec, task);
        deps.security().require(context.principal(), permission(spec.name()));
        Confirmer confirmer = gate(context, spec, person);
        BrainLink brain = brain(spec);
        String runId = TimeOrderedIds.next(deps.clock());
        Instant now = deps.clock().instant();
        RunAudit audit = started(context, spec, runId, "agent run started");
        List<AuditLog.Draft> startEntries = audit.take();
        CompletableFuture<@Nullable Void> created = new CompletableFuture<>();
        LiveRun handle = start(runId, spec, task, context, brain, confirmer, audit, AgentLoop.Replay.FRESH, created);
        try {
            deps.journal().create(runId, spec.name(), context.principal().id(), JournalCodec.spec(spec), task, deps
                    .owner(), now.plus(deps.lease()), now, startEntries);
        } catch (RuntimeException e) {
            created.completeExceptionally(e);
            handle.cancel();
            throw e;
        }
        live.put(runId, handle); // before the loop may end: its first journal write waits for the row
        created.complete(null);
        return handle;
    }

    private static void check(CallContext context, AgentSpec spec, String task) {
        if (context == null || spec == null || task == null) {
            throw new IllegalArgumentException("context, spec and task must not be null");
        }
        if (task.isBlank()) {
            throw new IllegalArgumentException("task must not be blank");
        }
    }

    /** {@return the audit of a run that starts or resumes here, holding the entry that says so} */
    private RunAudit started(CallContext context, AgentSpec spec, String runId, String started) {
        RunAudit audit = new RunAudit(deps.auditLog());
        audit.record(context.principal().id(), permission(spec.name()).toString(), runId, Outcome.SUCCESS, started);
        return audit;
    }

    /**
     * Starts the loop of a run. A new run's loop starts while its row is written ({@code created} not done): it asks
     * the model for its first turn meanwhile, and its first journal write waits for the row; the caller puts such a
     * run among the live ones once its row is there, so that the lease keeper never renews a run the store lacks.
     */
    private LiveRun start(String runId, AgentSpec spec, String task, CallContext context, BrainLink brain,
            @Nullable Confirmer confirmer, RunAudit audit, AgentLoop.Replay replay,
            CompletableFuture<@Nullable Void> created) {
        NarrowedSecurity narrowed = new NarrowedSecurity(deps.security(), spec, audit);
        DefaultToolRegistry registry = new DefaultToolRegistry(deps.tools(), narrowed, audit, deps.telemetry());
        LiveRun handle = new LiveRun(runId, context.principal().id());
        AgentLoop loop = new AgentLoop(runId, spec, task, context, new AgentLoop.Deps(deps.journal(), registry,
                narrowed, audit, deps.clock(), deps.executor(), deps.owner()), brain, confirmer, handle, replay,
                created);
        if (created.isDone()) {
            live.put(runId, handle);
        }
        handle.onEvent(event -> {
            if (event instanceof org.codeengine.api.agents.AgentEvent.Stopped) {
                live.remove(runId);
            }
        });
        try {
            deps.executor().execute(loop);
        } catch (RuntimeException e) {
            live.remove(runId);
            throw e;
        }
        return handle;
    }

    /** {@return the confirmer the spec's gate asks, or null when nobody can be asked} */
    private @Nullable Confirmer gate(CallContext context, AgentSpec spec, @Nullable Confirmer person) {
        return Gates.forRun(context, spec, deps.gateKeeper(), person, deps.audit());
    }

    @Override
    public AgentRun resume(CallContext context, String runId, @Nullable Confirmer person) {
        if (context == null || runId == null) {
            throw new IllegalArgumentException("context and runId must not be null");
        }
        AgentRunRepository.Run row = owned(context, runId);
        AgentSpec spec = RoleCodec.parse(row.spec(), "the journal of agent run " + runId);
        deps.security().require(context.principal(), permission(spec.name()));
        LiveRun running = live.get(runId);
        if (running != null) {
            return running;
        }
        AgentRunRepository.Journal journal = deps.journal().journal(runId);
        if (row.ended()) {
            AgentLoop.Replay replay = replay(journal, row.elapsedMs());
            return LiveRun.ended(new AgentResult(runId, StopReason.valueOf(row.stopReason()), row.detail() == null
                    ? ""
                    : row.detail(), row.answer(), new Transcript(spec.role(), row.task(), replay.turns())), row
                            .principal());
        }
        Confirmer confirmer = gate(context, spec, person);
        BrainLink brain = brain(spec);
        Instant now = deps.clock().instant();
        RunAudit audit = started(context, spec, runId, "agent run resumed from its journal");
        if (!deps.journal().claim(runId, deps.owner(), now, now.plus(deps.lease()), deps.gone(), audit.take())) {
            throw new UnavailableException("agent run " + runId + " is held by " + row.leaseOwner() + " until "
                    + row.leaseUntil() + "; resume it after that",
                    Duration.between(now, row.leaseUntil() == null
                            ? now
                            : row.leaseUntil()),
                    null);
        }
        return start(runId, spec, row.task(), context, brain, confirmer, audit, replay(journal, row.elapsedMs()),
                CompletableFuture.completedFuture(null));
    }

    /** {@return the run, when the caller is the one who started it} */
    private AgentRunRepository.Run owned(CallContext context, String runId) {
        AgentRunRepository.Run row = deps.journal().find(runId).orElseThrow(() -> new NotFoundException(
                "no agent run " + runId, null));
        if (!row.principal().equals(context.principal().id())) {
            String why = "agent run " + runId + " belongs to another caller";
            deps.audit().record(context.principal().id(), permission(row.agent()).toString(), runId, Outcome.DENIED,
                    why);
            throw new PolicyDeniedException(why, null);
        }
        return row;
    }

    /**
     * {@return where the journal leaves a run: its ended turns, and the turn whose calls did not all end} A journaled
     * reply started each of its calls, so a call of it without a done row is started (its row may be missing: the
     * reply's row is its start). The time the run took before is the larger of the run's and its last reply's: a
     * write that carries a reply keeps the time on the reply's row only.
     */
    static AgentLoop.Replay replay(AgentRunRepository.Journal journal, long runElapsedMs) {
        long elapsedMs = runElapsedMs;
        for (TurnRow row : journal.turns()) {
            elapsedMs = Math.max(elapsedMs, row.elapsedMs()); // a reply's write keeps the time on its turn's row
        }
        Map<Integer, Map<Integer, CallRow>> calls = new LinkedHashMap<>();
        for (CallRow call : journal.calls()) {
            calls.computeIfAbsent(call.turn(), t -> new LinkedHashMap<>()).put(call.position(), call);
        }
        List<Turn> turns = new ArrayList<>();
        for (TurnRow row : journal.turns()) {
            if (row.reply() == null) {
                break; // asked, not answered: the loop asks again
            }
            JournalCodec.Reply reply = JournalCodec.reply(row.reply());
            Map<Integer, CallRow> journaled = calls.getOrDefault(row.turn(), Map.of());
            List<ToolOutcome> outcomes = new ArrayList<>();
            List<ToolCall> asked = reply.message().toolCalls();
            for (int i = 0; i < asked.size(); i++) {
                CallRow call = journaled.get(i);
                if (call == null || call.status() == null) {
                    return new AgentLoop.Replay(turns, reply, started(row.turn(), asked, journaled), elapsedMs);
                }
                outcomes.add(new ToolOutcome(asked.get(i).id(), asked.get(i).name(), asked.get(i).arguments(), call
                        .result() == null ? "" : call.result(), ToolOutcome.Status.valueOf(call.status())));
            }
            turns.add(new Turn(row.turn(), reply.message(), outcomes, reply.usage(), reply.costUsd()));
        }
        return new AgentLoop.Replay(turns, null, Map.of(), elapsedMs);
    }

    /** {@return the rows of a journaled reply's calls by position: each one's own row, or a started one} */
    private static Map<Integer, CallRow> started(int turn, List<ToolCall> asked, Map<Integer, CallRow> journaled) {
        Map<Integer, CallRow> calls = new LinkedHashMap<>();
        for (int i = 0; i < asked.size(); i++) {
            ToolCall call = asked.get(i);
            calls.put(i, journaled.getOrDefault(i, new CallRow(turn, i, call.id(), call.name(), call.arguments(), null,
                    null)));
        }
        return calls;
    }

    @Override
    public void cancel(CallContext context, String runId) {
        if (context == null || runId == null) {
            throw new IllegalArgumentException("context and runId must not be null");
        }
        AgentRunRepository.Run row = owned(context, runId);
        LiveRun running = live.get(runId);
        if (running != null) {
            running.cancel();
            return;
        }
        if (row.ended()) {
            return;
        }
        Instant now = deps.clock().instant();
        if (!deps.journal().claim(runId, deps.owner(), now, now.plus(deps.lease()), deps.gone(), List.of())) {
            throw new UnavailableException("agent run " + runId + " is running on " + row.leaseOwner()
                    + "; cancel it there", null, null);
        }
        deps.journal().write(runId, deps.owner(), new AgentRunRepository.Entry(0, null, List.of(), row.elapsedMs(),
                new AgentRunRepository.End(StopReason.CANCELLED.name(), "cancelled", null), List.of(), 0), now);
    }

    private BrainLink brain(AgentSpec spec) {
        return brains.computeIfAbsent(spec.brain(), b -> BrainLink.open(b, deps.models()));
    }

    /** Stops renewing leases and closes the brains' provider connections; runs still going fail on their next turn. */
    @Override
    public void close() {
        synchronized (keeperLock) {
            closed = true;
            keeperLock.notifyAll(); // the keeper is never interrupted, so no store call of its is cut half-way
        }
        try {
            keeper.join(Duration.ofSeconds(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        brains.values().forEach(BrainLink::close);
        brains.clear();
    }

    @Override
    public AgentSpec load(Path file) {
        return RoleCodec.load(file);
    }

    @Override
    public AgentSpec parse(String text, String source) {
        return RoleCodec.parse(text, source);
    }
}
