package org.codeengine.examples.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.codeengine.api.CallContext;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.agents.AgentEvent;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.AgentRun;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.agents.Gate;
import org.codeengine.api.agents.StopReason;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.mcp.McpContent;
import org.codeengine.plugin.mcp.McpRequestContext;
import org.codeengine.plugin.mcp.McpTool;
import org.codeengine.plugin.mcp.McpToolResult;
import org.codeengine.plugin.mcp.SamplingClient;
import org.codeengine.plugin.mcp.SamplingProvider;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Agents as MCP tools, one per role ({@code agent_<role>}, the task as its one argument), for {@code code mcp serve}:
 * a call runs the agent as the session's principal, reports each turn as progress, logs each tool call's outcome,
 * stops the run when the client cancels, asks the client's user to approve what the role's gate leaves to a person
 * (elicitation), and answers with the run as structured content. A server without a panel of its own thinks with the
 * client's model through sampling; a gate's panel vote then falls to the client's user.
 */
final class AgentTools {
    /** How often a waiting call looks whether its client cancelled. */
    private static final Duration POLL = Duration.ofMillis(100);
    /** How long a cancelled run may take to finish the call in flight before the tool call returns. */
    private static final Duration STOPPING = Duration.ofSeconds(30);
    /** The revision on which a server cannot ask its client mid-request (input_required instead). */
    private static final String STATELESS = "2026-07-28";

    private AgentTools() {}

    /** {@return the tool's name for a role: {@code agent_} and the role's name with '-' and '.' as '_'} */
    static String toolName(String role) {
        return "agent_" + role.replace('-', '_').replace('.', '_');
    }

    /**
     * @param engine the engine the agents run on
     * @param specs the roles to serve
     * @param sampling where the client's model is bound when the server has no panel to think with, else null
     * @return one tool per role
     */
    static List<McpTool> tools(CodeEngine engine, List<AgentSpec> specs, @Nullable SamplingProvider sampling) {
        List<McpTool> tools = new ArrayList<>();
        for (AgentSpec spec : specs) {
            ObjectNode schema = Output.object().put("type", "object");
            schema.putObject("properties").putObject("task").put("type", "string").put("minLength", 1).put(
                    "description", "What the agent is to do.");
            schema.putArray("required").add("task");
            schema.put("additionalProperties", false);
            ObjectNode hints = Output.object().put("readOnlyHint", false).put("destructiveHint", true).put(
                    "idempotentHint", false).put("openWorldHint", true);
            String description = (spec.description().isBlank()
                    ? "Runs the agent " + spec.name()
                    : spec
                            .description())
                    + " (an agent: it uses the tools " + String.join(", ", spec.tools())
                    + "; its destructive calls are approved by " + gateText(spec.gate(), sampling != null) + ")";
            tools.add(new McpTool(toolName(spec.name()), "Agent " + spec.name(), description, schema, null, hints,
                    java.util.Set.of(), (arguments, context) -> run(engine, spec, arguments.get("task").asString(),
                            context, sampling)));
        }
        return tools;
    }

    private static String gateText(Gate gate, boolean sampling) {
        return switch (gate.mode()) {
            case NONE -> "nobody: only calls you may make unasked run";
            case PERSON -> "you, through your client";
            case PANEL -> sampling
                    ? "you, through your client (this server has no panel)"
                    : "the panel " + gate
                            .panel();
            case BOTH -> sampling
                    ? "you, through your client (this server has no panel)"
                    : "the panel " + gate
                            .panel() + ", then you";
        };
    }

    private static McpToolResult run(CodeEngine engine, AgentSpec base, String task, McpRequestContext context,
            @Nullable SamplingProvider sampling) throws InterruptedException {
        if (task.isBlank()) {
            return McpToolResult.error("task must not be blank");
        }
        Principal principal = context.principal().orElse(null);
        if (principal == null) {
            return McpToolResult.error("no principal: the server has neither authorization nor a default principal");
        }
        boolean canAsk = !STATELESS.equals(context.protocolVersion());
        AgentSpec spec = base;
        String bound = null;
        if (sampling != null) {
            if (!canAsk || !SamplingClient.samplesWithTools(context)) {
                return McpToolResult.error("this server has no model of its own, so agent " + base.name() + " thinks "
                        + "with your client's model through sampling with tools: connect with a client that declares "
                        + "sampling.tools, on a session (protocol revision 2025-11-25)");
            }
            bound = sampling.bind(context);
            Gate gate = base.gate().mode() == Gate.Mode.NONE ? Gate.NONE : new Gate(Gate.Mode.PERSON, null);
            spec = new AgentSpec(base.name(), base.description(), base.role(), new Brain.Model(SamplingProvider.NAME,
                    bound), base.tools(), base.budget(), gate);
        }
        Confirmer person = canAsk ? context.confirmer().orElse(null) : null;
        UnaryOperator<String> redact = engine.security().scanner()::redact;
        try {
            AgentRun run = engine.agents().run(new CallContext(principal, null, "mcp-agent-" + UUID.randomUUID()),
                    spec, task, person);
            AtomicInteger turns = new AtomicInteger();
            int steps = spec.budget().steps();
            run.onEvent(event -> report(event, context, turns, steps, redact));
            AgentResult result = await(run, context, spec.budget().wallTime().plusSeconds(30));
            ObjectNode structured = AgentReports.json(result, redact).put("agent", spec.name());
            String text = result.answer() != null
                    ? redact.apply(result.answer())
                    : "the agent stopped before it answered: " + result.stopReason().name().toLowerCase(Locale.ROOT)
                            + " (" + redact.apply(result.detail()) + ")";
            return new McpToolResult(List.of(McpContent.text(text)), structured, result
                    .stopReason() != StopReason.ANSWERED);
        } finally {
            if (bound != null) {
                sampling.unbind(bound);
            }
        }
    }

    /** Progress at the start of each turn; a log message for each tool call's outcome. */
    private static void report(AgentEvent event, McpRequestContext context, AtomicInteger turns, int steps,
            UnaryOperator<String> redact) {
        try {
            switch (event) {
                case AgentEvent.TurnStarted t -> context.progress(turns.incrementAndGet(), steps, "turn " + t.turn());
                case AgentEvent.ToolEnded e -> context.log("info", Output.object().put("turn", e.turn()).put("tool",
                        e.outcome().tool()).put("status", e.outcome().status().name()).put("result", AgentReports
                                .clip(redact.apply(e.outcome().result()))));
                default -> {
                }
            }
        } catch (RuntimeException e) {
            // a client that went away hears nothing more; the run goes on until it is cancelled or ends
        }
    }

    /**
     * Waits for the run, stopping it when the client cancels the call.
     *
     * @throws InterruptedException if the call was cancelled: the run was asked to stop first
     */
    private static AgentResult await(AgentRun run, McpRequestContext context, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            if (context.cancelled() | Thread.interrupted()) {
                run.cancel();
                try {
                    run.await(STOPPING); // the call in flight ends; no new turn or tool call starts
                } catch (RuntimeException stillGoing) {
                    // it stops by itself at its next step
                }
                throw new InterruptedException("the client cancelled the call; the agent's run was stopped");
            }
            try {
                return run.await(POLL);
            } catch (DeadlineExceededException e) {
                if (System.nanoTime() > deadline) {
                    run.cancel();
                    return run.await(STOPPING);
                }
            }
        }
    }
}
