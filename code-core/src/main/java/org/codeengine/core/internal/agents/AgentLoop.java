package org.codeengine.core.internal.agents;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
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
import org.codeengine.core.internal.tools.DefaultToolRegistry;
import org.codeengine.schema.JsonSchema;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One agent run: asks the model, runs the tool calls of its reply in parallel through the narrowed registry, feeds the
 * results back, and stops on an answer or a spent budget. Each turn and call is journaled before and after it
 * happens; a resumed run starts from what the journal holds ({@link Replay}).
 */
final class AgentLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);
    private static final int MAX_REPLY_TOKENS = 8192;

    /** What the run needs of the engine. */
    record Deps(AgentRunRepository journal, DefaultToolRegistry tools, NarrowedSecurity security,
            DefaultOrchestrator.Audit audit, Clock clock, ExecutorService executor, Duration lease) {}

    /**
     * Where a run stands in its journal.
     *
     * @param turns the turns that ended (reply and every call's outcome)
     * @param pending the reply of a turn whose calls did not all end, or null
     * @param pendingCalls the journaled calls of that turn, by position
     * @param elapsedMs the time the run took before, in milliseconds
     */
    record Replay(List<Turn> turns, JournalCodec.@Nullable Reply pending, Map<Integer, CallRow> pendingCalls,
            long elapsedMs) {
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
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private volatile @Nullable Thread thread;
    private Instant segmentStart = Instant.EPOCH;
    private Map<String, ToolDescriptor> visible = Map.of();

    AgentLoop(String runId, AgentSpec spec, String task, CallContext caller, Deps deps, BrainLink brain,
            @Nullable Confirmer confirmer, LiveRun handle, Replay replay) {
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
            deps.journal().end(runId, stop.reason().name(), stop.detail(), answer, elapsedMs(), deps.clock()
                    .instant());
        } catch (CodeException e) {
            LOG.warn("Agent run {} ended ({}) but the end could not be journaled: {}", runId, stop.reason(), e
                    .getMessage());
        }
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
            if (reply == null) {
                Stop over = overBudget();
                if (over != null) {
                    return over;
                }
                reply = ask(index);
            }
            Turn replied = new Turn(index, reply.message(), List.of(), reply.usage(), reply.costUsd());
            handle.emit(new AgentEvent.Replied(runId, replied));
            List<ToolOutcome> outcomes = callAll(index, reply.message().toolCalls(), pendingCalls);
            pending = null;
            pendingCalls = Map.of();
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

    private JournalCodec.Reply ask(int index) {
        Instant now = deps.clock().instant();
        deps.journal().turnAsked(runId, index, elapsedMs(), now.plus(deps.lease()), now);
        handle.emit(new AgentEvent.TurnStarted(runId, index));
        long left = spec.budget().tokens() - new Transcript(spec.role(), task, turns).usage().totalTokens();
        BrainLink.Reply r = brain.ask(new Transcript(spec.role(), task, turns).messages(), (int) Math.max(1, Math.min(
                MAX_REPLY_TOKENS, left)), toolSpecs());
        ChatMessage message = new ChatMessage(ChatMessage.Role.ASSISTANT, r.response().text(), r.response()
                .toolCalls(), null);
        deps.journal().turnReplied(runId, index, JournalCodec.reply(message, r.response().usage(), r.costUsd()));
        return new JournalCodec.Reply(message, r.response().usage(), r.costUsd());
    }

    private List<ToolSpec> toolSpecs() {
        List<ToolSpec> specs = new ArrayList<>();
        for (ToolDescriptor tool : visible.values()) {
            if (tool.name().matches("[A-Za-z0-9_-]{1,64}")) {
                specs.add(new ToolSpec(tool.name(), tool.description(), tool.inputSchema()));
            }
        }
        return specs;
    }

    /** Stands for a call that was in flight when a host died and may not be run again. */
    private static final ToolOutcome IN_FLIGHT = new ToolOutcome("", "", "", "", Status.TOOL_ERROR);
    private volatile String inFlightDetail = "";

    private List<ToolOutcome> callAll(int turn, List<ToolCall> calls, Map<Integer, CallRow> journaled)
            throws InterruptedException {
        if (calls.size() == 1) {
            return List.of(call(turn, 0, calls.getFirst(), journaled.get(0)));
        }
        List<Future<ToolOutcome>> running = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            int position = i;
            running.add(deps.executor().submit(() -> call(turn, position, calls.get(position), journaled.get(
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

    private ToolOutcome call(int turn, int position, ToolCall call, @Nullable CallRow journaled) {
        if (journaled != null && journaled.status() != null) {
            return new ToolOutcome(call.id(), call.name(), call.arguments(), journaled.result() == null
                    ? ""
                    : journaled.result(), Status.valueOf(journaled.status()));
        }
        if (journaled != null) {
            ToolDescriptor tool = visible.get(call.name());
            ToolAnnotations annotations = tool == null ? null : tool.annotations();
            if (annotations == null || !annotations.idempotent()) {
                inFlightDetail = "tool call " + call.name() + " (turn " + turn + ", call " + (position + 1)
                        + ") was running when the host died; the tool is not idempotent, so it is not run again and "
                        + "whether it took effect is unknown";
                return IN_FLIGHT;
            }
        }
        handle.emit(new AgentEvent.ToolStarted(runId, turn, call.id(), call.name()));
        ToolOutcome outcome = outcome(turn, position, call);
        handle.emit(new AgentEvent.ToolEnded(runId, turn, outcome));
        return outcome;
    }

    private ToolOutcome outcome(int turn, int position, ToolCall call) {
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
                return done(turn, position, call, "refused by the permission check: " + e.getMessage(),
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
        ToolDescriptor tool = visible.get(name);
        if (tool == null) {
            return malformed(turn, position, call, "there is no tool named '" + name + "'; the tools are "
                    + visible.keySet());
        }
        List<String> broken = JsonSchema.validate(tool.inputSchema(), arguments);
        if (!broken.isEmpty()) {
            return malformed(turn, position, call, "the arguments of " + name + " break its schema: " + String.join(
                    "; ", broken));
        }
        deps.journal().callStarted(runId, turn, position, call.id(), name, call.arguments(), deps.clock().instant()
                .plus(deps.lease()));
        String text;
        Status status;
        try {
            ToolResult result = deps.tools().call(toolContext(), name, arguments, confirmer);
            text = result.text().isEmpty() && result.structured() != null
                    ? result.structured().toString()
                    : result
                            .text();
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
        return done(turn, position, call, text, status);
    }

    private ToolOutcome malformed(int turn, int position, ToolCall call, String why) {
        deps.audit().record(caller.principal().id(), "agent:tool-call:" + spec.name(), call.name(), Outcome.FAILURE,
                "malformed tool call in agent run " + runId + ": " + why);
        return done(turn, position, call, why + ". Correct the call and try again.", Status.MALFORMED);
    }

    private ToolOutcome done(int turn, int position, ToolCall call, String text, Status status) {
        deps.journal().callDone(runId, turn, position, call.id(), call.name(), call.arguments(), text, status
                .name());
        return new ToolOutcome(call.id(), call.name(), call.arguments(), text, status);
    }

    /** The caller, with a deadline no later than the run's wall-time budget allows. */
    private CallContext toolContext() {
        Instant end = deps.clock().instant().plusMillis(Math.max(0, spec.budget().wallTime().toMillis()
                - elapsedMs()));
        Instant deadline = caller.deadline() != null && caller.deadline().isBefore(end) ? caller.deadline() : end;
        return new CallContext(caller.principal(), deadline, caller.traceId());
    }
}
