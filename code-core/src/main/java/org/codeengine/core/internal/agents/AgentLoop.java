package org.codeengine.core.internal.agents;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.agents.AgentEvent;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Budget;
import org.codeengine.api.agents.StopReason;
import org.codeengine.api.agents.ToolOutcome;
import org.codeengine.api.agents.ToolOutcome.Status;
import org.codeengine.api.agents.Transcript;
import org.codeengine.api.agents.Turn;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.security.Permission;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.api.spi.ToolSpec;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;
import org.codeengine.core.internal.store.AgentRunRepository;
import org.codeengine.core.internal.store.AgentRunRepository.CallRow;
import org.codeengine.core.internal.store.AuditLog;
import org.codeengine.core.internal.tools.DefaultToolRegistry;
import org.codeengine.schema.JsonSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One agent run: asks the model, runs the tool calls of its reply in parallel through the narrowed registry, feeds the
 * results back, and stops on an answer or a spent budget. A resumed run starts from what the journal holds
 * ({@link Replay}).
 *
 * <p>The journal takes one transaction per turn: the model's reply, with a done row for each of its calls refused or
 * malformed, written before any call runs. The reply lists its calls, so its row is the start of every call it holds
 * that has no done row: a resume treats such a call as started (it may have run). A call whose tool is not idempotent
 * writes its end at once when it ends, so that a resume never runs it again; the end of an idempotent call (which a
 * resume may run again) goes with the next write, the next turn's or the run's end, and a final answer is written
 * with the end. The audit entries of what the run did go in the journal write that follows
 * them ({@link RunAudit}). A new run asks the model for its first turn while its row is written; its first write waits
 * for the row, so the journal holds nothing of a run whose row it lacks.
 */
final class AgentLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);
    private static final int MAX_REPLY_TOKENS = 8192;
    /** The names a model's function may have; tools named otherwise are not offered. */
    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /**
     * What the run needs of the engine.
     *
     * @param owner this engine's name on leases: every journal write is fenced by it
     */
    record Deps(AgentRunRepository journal, DefaultToolRegistry tools, NarrowedSecurity security, RunAudit audit,
            Clock clock, ExecutorService executor, String owner) {}

    /**
     * Where a run stands in its journal.
     *
     * @param turns the turns that ended (reply and every call's outcome)
     * @param pending the reply of a turn whose calls did not all end, or null
     * @param pendingCalls the calls of that turn, by position: each call of the reply, started (status null) unless it
     *        ended
     * @param elapsedMs the time the run took before, in milliseconds
     */
    record Replay(List<Turn> turns, JournalCodec.@Nullable Reply pending, Map<Integer, CallRow> pendingCalls,
            long elapsedMs) {
        /** The replay of a run that starts here, whose journal holds no rows yet (told apart by identity). */
        static final Replay FRESH = new Replay(List.of(), null, Map.of(), 0);
    }

    /** Why the run stops, from inside the loop. */
    private record Stop(StopReason reason, String detail) {}

    private final String runId;
    private final AgentSpec spec;
    private final String task;
    private final CallContext caller;
    private final Deps deps;
    private final BrainLink brain;
    private final @Nullable Confirmer confirmer;
    private final LiveRun handle;
    private final List<Turn> turns;
    private JournalCodec.@Nullable Reply pending;
    private Map<Integer, CallRow> pendingCalls;
    private final long elapsedBefore;
    /** The turn a resumed run goes on with, whose rows an older journal may hold; 0 for a run that starts here. */
    private final int journaledTurn;
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile @Nullable Thread thread;
    private Instant segmentStart = Instant.EPOCH;
    private Map<String, ToolDescriptor> visible = Map.of();
    /** The tools offered to the model, made once per run from {@link #visible}. */
    private List<ToolSpec> offered = List.of();
    /** Ended calls of idempotent tools not journaled yet: they go with the next write. Guarded by itself. */
    private final List<CallRow> unwritten = new ArrayList<>();
    /** The final answer's reply, journaled with the run's end; null until the model answers in this segment. */
    private @Nullable String answerReply;
    /**
     * Done once the run's row is in the store: a new run asks the model for its first turn while its row is written,
     * and journals nothing before. Failed when it could not be written: the run then never was, and ends unjournaled.
     */
    private final CompletableFuture<@Nullable Void> created;

    AgentLoop(String runId, AgentSpec spec, String task, CallContext caller, Deps deps, BrainLink brain,
            @Nullable Confirmer confirmer, LiveRun handle, Replay replay, CompletableFuture<@Nullable Void> created) {
        this.runId = runId;
        this.spec = spec;
        this.task = task;
        this.caller = caller;
        this.deps = deps;
        this.brain = brain;
        this.confirmer = confirmer;
        this.handle = handle;
        this.turns = new ArrayList<>(replay.turns());
        this.pending = replay.pending();
        this.pendingCalls = replay.pendingCalls();
        this.elapsedBefore = replay.elapsedMs();
        this.created = created;
        this.journaledTurn = replay == Replay.FRESH ? 0 : replay.turns().size() + 1;
        handle.onCancel(this::cancel);
    }

    void cancel() {
        cancelled.set(true);
        Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        segmentStart = deps.clock().instant();
        Stop stop;
        String answer = null;
        try {
            Map<String, ToolDescriptor> tools = new LinkedHashMap<>();
            for (ToolDescriptor tool : deps.tools().list(caller)) {
                tools.put(tool.name(), tool);
            }
            visible = tools;
            offered = toolSpecs();
            stop = loop();
            if (stop.reason() == StopReason.ANSWERED) {
                answer = turns.getLast().reply().content();
            }
        } catch (CodeException e) {
            stop = new Stop(cancelled.get() ? StopReason.CANCELLED : StopReason.FAILED, cancelled.get()
                    ? "cancelled"
                    : e.getMessage());
        } catch (InterruptedException e) {
            stop = new Stop(StopReason.CANCELLED, "cancelled");
        } catch (RuntimeException e) {
            LOG.warn("Agent run {} failed", runId, e);
            stop = new Stop(StopReason.FAILED, "the run failed: " + e);
        } finally {
            thread = null;
            Thread.interrupted(); // a cancel that came late must not break the journal's last write
        }
        AgentResult result = new AgentResult(runId, stop.reason(), stop.detail(), answer, new Transcript(spec.role(),
                task, turns));
        try {
            if (created()) {
                journal(turns.size(), answerReply, List.of(), new AgentRunRepository.End(stop.reason().name(), stop
                        .detail(), answer));
            }
        } catch (CodeException e) {
            LOG.warn("Agent run {} ended ({}) but the end could not be journaled: {}", runId, stop.reason(), e
                    .getMessage());
        }
        deps.audit().end();
        handle.finish(result);
    }

    private Stop loop() throws InterruptedException {
        while (true) {
            if (!turns.isEmpty() && turns.getLast().reply().toolCalls().isEmpty()) {
                return new Stop(StopReason.ANSWERED, "the model answered in turn " + turns.size());
            }
            long malformed = turns.stream().flatMap(t -> t.outcomes().stream()).filter(o -> o
                    .status() == Status.MALFORMED).count();
            if (malformed > spec.budget().malformedCalls()) {
                return new Stop(StopReason.MALFORMED_CALLS, "the model made " + malformed + " malformed tool calls;"
                        + " the budget allows " + spec.budget().malformedCalls());
            }
            if (cancelled.get()) {
                return new Stop(StopReason.CANCELLED, "cancelled");
            }
            int index = turns.size() + 1;
            JournalCodec.Reply reply = pending;
            Map<Integer, CallRow> journaled = pendingCalls;
            boolean fresh = reply == null;
            if (reply == null) {
                Stop over = overBudget();
                if (over != null) {
                    return over;
                }
                reply = ask(index);
            }
            pending = null;
            pendingCalls = Map.of();
            List<ToolCall> calls = reply.message().toolCalls();
            String replyJson = fresh ? JournalCodec.reply(reply.message(), reply.usage(), reply.costUsd()) : null;
            List<Plan> plans = new ArrayList<>();
            for (int i = 0; i < calls.size(); i++) {
                plans.add(plan(index, i, calls.get(i), journaled.get(i)));
            }
            if (calls.isEmpty()) {
                answerReply = replyJson; // journaled with the end
            } else {
                List<CallRow> rows = new ArrayList<>();
                plans.stream().map(Plan::row).filter(Objects::nonNull).forEach(rows::add);
                if (fresh || !rows.isEmpty()) {
                    journal(index, replyJson, rows, null);
                }
            }
            Turn replied = new Turn(index, reply.message(), List.of(), reply.usage(), reply.costUsd());
            handle.emit(new AgentEvent.Replied(runId, replied));
            List<ToolOutcome> outcomes = callAll(index, calls, plans);
            ToolOutcome unknown = outcomes.stream().filter(o -> o == IN_FLIGHT).findFirst().orElse(null);
            if (unknown != null) {
                List<ToolOutcome> ended = outcomes.stream().filter(o -> o != IN_FLIGHT).toList();
                turns.add(new Turn(index, reply.message(), ended, reply.usage(), reply.costUsd()));
                return new Stop(StopReason.IN_FLIGHT_NOT_IDEMPOTENT, inFlightDetail);
            }
            turns.add(new Turn(index, reply.message(), outcomes, reply.usage(), reply.costUsd()));
        }
    }

    private @Nullable Stop overBudget() {
        Budget budget = spec.budget();
        if (turns.size() >= budget.steps()) {
            return new Stop(StopReason.STEPS, "the run used all " + budget.steps() + " turns of its budget");
        }
        Transcript so = new Transcript(spec.role(), task, turns);
        long tokens = so.usage().totalTokens();
        if (tokens >= budget.tokens()) {
            return new Stop(StopReason.TOKENS, "the run used " + tokens + " tokens; its budget is " + budget
                    .tokens());
        }
        double cost = so.costUsd();
        if (cost > budget.costUsd() || (budget.costUsd() > 0 && cost >= budget.costUsd())) {
            return new Stop(StopReason.COST, "the run spent " + cost + " US dollars; its budget is " + budget
                    .costUsd());
        }
        long elapsed = elapsedMs();
        if (elapsed >= budget.wallTime().toMillis()) {
            return new Stop(StopReason.WALL_TIME, "the run took " + elapsed + " ms; its budget is " + budget
                    .wallTime().toMillis() + " ms");
        }
        if (caller.deadline() != null && !deps.clock().instant().isBefore(caller.deadline())) {
            return new Stop(StopReason.WALL_TIME, "the caller's deadline " + caller.deadline() + " passed");
        }
        return null;
    }

    private long elapsedMs() {
        return elapsedBefore + Math.max(0, Duration.between(segmentStart, deps.clock().instant()).toMillis());
    }

    /** Asks the model for turn {@code index}; nothing is journaled before: a turn without a reply is asked again. */
    private JournalCodec.Reply ask(int index) {
        handle.emit(new AgentEvent.TurnStarted(runId, index));
        long left = spec.budget().tokens() - new Transcript(spec.role(), task, turns).usage().totalTokens();
        BrainLink.Reply r = brain.ask(new Transcript(spec.role(), task, turns).messages(), (int) Math.max(1, Math.min(
                MAX_REPLY_TOKENS, left)), offered);
        ChatMessage message = new ChatMessage(ChatMessage.Role.ASSISTANT, r.response().text(), r.response()
                .toolCalls(), null);
        return new JournalCodec.Reply(message, r.response().usage(), r.costUsd());
    }

    /**
     * Writes what the run did since its last write in one transaction, with the audit entries of what it did: the
     * reply of turn {@code turn} (or null), call rows, the ended calls not journaled yet, and the end. Entries of a
     * write that failed go to the audit log on their own.
     */
    private void journal(int turn, @Nullable String reply, List<CallRow> calls, AgentRunRepository.@Nullable End end) {
        if (!created()) {
            throw new UnavailableException("agent run " + runId + " could not be created", null, null);
        }
        List<CallRow> rows;
        synchronized (unwritten) {
            rows = new ArrayList<>(unwritten);
            unwritten.clear();
        }
        rows.addAll(calls);
        List<AuditLog.Draft> entries = deps.audit().take();
        try {
            deps.journal().write(runId, deps.owner(), new AgentRunRepository.Entry(turn, reply, rows, elapsedMs(),
                    end, entries, journaledTurn), deps.clock().instant());
        } catch (CodeException e) {
            deps.audit().apart(entries);
            throw e;
        }
    }

    /** Waits for the write of the run's row to end. {@return whether the row is in the store} */
    private boolean created() {
        try {
            created.join();
            return true;
        } catch (CompletionException | CancellationException e) {
            return false;
        }
    }

    private List<ToolSpec> toolSpecs() {
        List<ToolSpec> specs = new ArrayList<>();
        for (ToolDescriptor tool : visible.values()) {
            if (FUNCTION_NAME.matcher(tool.name()).matches()) {
                specs.add(new ToolSpec(tool.name(), tool.description(), tool.inputSchema()));
            }
        }
        return specs;
    }

    /** Stands for a call that was in flight when a host died and may not be run again. */
    private static final ToolOutcome IN_FLIGHT = new ToolOutcome("", "", "", "", Status.TOOL_ERROR);
    private volatile String inFlightDetail = "";

    /**
     * What becomes of one call of a reply.
     *
     * @param known its outcome when it is known before it would run (replayed from the journal, refused, malformed,
     *        or {@link #IN_FLIGHT}), else null: it runs
     * @param arguments the arguments it runs with, when it runs
     * @param rerunnable whether its tool is idempotent, so that a resume may run it again
     * @param row the done row to journal with the reply, or null when the reply's row records what the journal needs
     *        (a call that runs is started by it) or the journal holds it already
     */
    private record Plan(@Nullable ToolOutcome known, @Nullable JsonNode arguments, boolean rerunnable,
            @Nullable CallRow row) {}

    /** {@return the plan of a call; refusals and malformed calls are audited here} */
    private Plan plan(int turn, int position, ToolCall call, @Nullable CallRow journaled) {
        if (journaled != null && journaled.status() != null) {
            return new Plan(new ToolOutcome(call.id(), call.name(), call.arguments(), journaled.result() == null
                    ? ""
                    : journaled.result(), Status.valueOf(journaled.status())), null, false, null);
        }
        ToolDescriptor tool = visible.get(call.name());
        ToolAnnotations annotations = tool == null ? null : tool.annotations();
        boolean rerunnable = annotations != null && annotations.idempotent();
        if (journaled != null && !rerunnable) {
            inFlightDetail = "tool call " + call.name() + " (turn " + turn + ", call " + (position + 1)
                    + ") was running when the host died; the tool is not idempotent, so it is not run again and "
                    + "whether it took effect is unknown";
            return new Plan(IN_FLIGHT, null, false, null);
        }
        String name = call.name();
        Permission permission;
        try {
            permission = DefaultToolRegistry.permission(name);
        } catch (IllegalArgumentException e) {
            return malformed(turn, position, call, "there is no tool named '" + name + "'; the tools are "
                    + visible.keySet());
        }
        if (!deps.security().check(caller.principal(), permission).allowed()) {
            try {
                deps.security().require(caller.principal(), permission); // audits the denial
            } catch (PolicyDeniedException e) {
                return known(turn, position, call, "refused by the permission check: " + e.getMessage(),
                        Status.REFUSED);
            }
        }
        JsonNode arguments;
        try {
            arguments = call.arguments().isBlank()
                    ? JournalCodec.JSON.createObjectNode()
                    : JournalCodec.JSON.readTree(call.arguments());
        } catch (JacksonException e) {
            return malformed(turn, position, call, "the arguments of " + name + " are not JSON: " + e
                    .getOriginalMessage());
        }
        if (tool == null) {
            return malformed(turn, position, call, "there is no tool named '" + name + "'; the tools are "
                    + visible.keySet());
        }
        List<String> broken = JsonSchema.validate(tool.inputSchema(), arguments);
        if (!broken.isEmpty()) {
            return malformed(turn, position, call, "the arguments of " + name + " break its schema: " + String.join(
                    "; ", broken));
        }
        return new Plan(null, arguments, rerunnable, null);
    }

    private Plan malformed(int turn, int position, ToolCall call, String why) {
        deps.audit().record(caller.principal().id(), "agent:tool-call:" + spec.name(), call.name(), Outcome.FAILURE,
                "malformed tool call in agent run " + runId + ": " + why);
        return known(turn, position, call, why + ". Correct the call and try again.", Status.MALFORMED);
    }

    private static Plan known(int turn, int position, ToolCall call, String text, Status status) {
        ToolOutcome outcome = new ToolOutcome(call.id(), call.name(), call.arguments(), text, status);
        return new Plan(outcome, null, false, row(turn, position, outcome));
    }

    private static CallRow row(int turn, int position, ToolOutcome ended) {
        return new CallRow(turn, position, ended.callId(), ended.tool(), ended.arguments(), ended.result(), ended
                .status().name());
    }

    private List<ToolOutcome> callAll(int turn, List<ToolCall> calls, List<Plan> plans) throws InterruptedException {
        if (calls.size() <= 1) {
            return calls.isEmpty() ? List.of() : List.of(call(turn, 0, calls.getFirst(), plans.getFirst()));
        }
        List<Future<ToolOutcome>> running = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            int position = i;
            running.add(deps.executor().submit(() -> call(turn, position, calls.get(position), plans.get(
                    position))));
        }
        List<ToolOutcome> outcomes = new ArrayList<>();
        try {
            for (Future<ToolOutcome> each : running) {
                outcomes.add(each.get());
            }
        } catch (InterruptedException e) {
            running.forEach(f -> f.cancel(true));
            throw e;
        } catch (ExecutionException e) {
            running.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
        return outcomes;
    }

    private ToolOutcome call(int turn, int position, ToolCall call, Plan plan) {
        ToolOutcome known = plan.known();
        if (known == IN_FLIGHT || (known != null && plan.row() == null)) {
            return known; // in flight when a host died, or replayed from the journal
        }
        handle.emit(new AgentEvent.ToolStarted(runId, turn, call.id(), call.name()));
        ToolOutcome outcome = known != null ? known : run(turn, position, call, plan);
        handle.emit(new AgentEvent.ToolEnded(runId, turn, outcome));
        return outcome;
    }

    /** Runs a call through the registry and journals its end: at once, unless a resume may run it again. */
    private ToolOutcome run(int turn, int position, ToolCall call, Plan plan) {
        String name = call.name();
        String text;
        Status status;
        try {
            ToolResult result = deps.tools().call(toolContext(), name, Objects.requireNonNull(plan.arguments()),
                    confirmer);
            text = result.text().isEmpty() && result.structured() != null
                    ? result.structured().toString()
                    : result.text();
            status = result.error() ? Status.TOOL_ERROR : Status.OK;
        } catch (PolicyDeniedException e) {
            text = "refused by the permission check: " + e.getMessage();
            status = Status.REFUSED;
        } catch (NotFoundException e) {
            text = "there is no tool named '" + name + "'";
            status = Status.MALFORMED;
        } catch (CodeException e) {
            text = "the tool failed: " + e.getMessage();
            status = Status.TOOL_ERROR;
        }
        ToolOutcome outcome = new ToolOutcome(call.id(), name, call.arguments(), text, status);
        if (plan.rerunnable()) {
            synchronized (unwritten) {
                unwritten.add(row(turn, position, outcome));
            }
        } else {
            journal(turn, null, List.of(row(turn, position, outcome)), null);
        }
        return outcome;
    }

    /** The caller, with a deadline no later than the run's wall-time budget allows. */
    private CallContext toolContext() {
        Instant end = deps.clock().instant().plusMillis(Math.max(0, spec.budget().wallTime().toMillis()
                - elapsedMs()));
        Instant deadline = caller.deadline() != null && caller.deadline().isBefore(end) ? caller.deadline() : end;
        return new CallContext(caller.principal(), deadline, caller.traceId());
    }
}
