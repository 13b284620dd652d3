package org.codeengine.examples.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.codeengine.api.agents.AgentEvent;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Agents;
import org.codeengine.api.agents.ToolOutcome;
import org.codeengine.api.agents.Turn;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.core.AgentRoles;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The app's side of agents, shared by {@code code agent} and {@code code mcp serve}: where a role comes from, an agent
 * run as JSON, and its events as lines of a live transcript. Every text that leaves goes through the secret scanner's
 * redaction first.
 */
final class AgentReports {
    private static final int SHOWN = 200;

    private AgentReports() {}

    /**
     * @param session the invocation
     * @param agents the engine's agents face
     * @param role a role file's path, or the name of a role in {@code <home>/agents/<name>.yaml}, or of a ready-made
     *        role
     * @return the agent
     * @throws CliException if there is no such role, naming where it was looked for
     */
    static AgentSpec role(Session session, Agents agents, String role) {
        Path file = Path.of(role);
        if (Files.isRegularFile(file) || role.endsWith(".yaml") || role.endsWith(".yml") || role.endsWith(".json")) {
            return agents.load(file);
        }
        for (String ext : new String[]{".yaml", ".yml", ".json"}) {
            Path own = session.home().resolve("agents").resolve(role + ext);
            if (Files.isRegularFile(own)) {
                return agents.load(own);
            }
        }
        if (!AgentRoles.NAMES.contains(role)) {
            throw CliException.usage("there is no agent role '" + role + "'", "name a role file, one in "
                    + session.home().resolve("agents") + ", or a ready-made role: " + String.join(", ",
                            AgentRoles.NAMES));
        }
        return AgentRoles.load(agents, role);
    }

    /**
     * @param result how a run ended
     * @param redact hides secrets
     * @return the run as JSON: its id, why it stopped, the answer, the usage, the cost and each turn with its tool
     *         calls and their results
     */
    static ObjectNode json(AgentResult result, UnaryOperator<String> redact) {
        ObjectNode node = Output.object().put("run", result.runId()).put("stopReason", result.stopReason().name())
                .put("detail", redact.apply(result.detail())).put("answer", result.answer() == null
                        ? null
                        : redact.apply(result.answer()));
        node.putObject("usage").put("inputTokens", result.transcript().usage().inputTokens()).put("outputTokens",
                result.transcript().usage().outputTokens());
        node.put("costUsd", result.transcript().costUsd());
        ArrayNode turns = node.putArray("turns");
        for (Turn turn : result.transcript().turns()) {
            ObjectNode t = turns.addObject().put("turn", turn.index()).put("text", redact.apply(turn.reply()
                    .content()));
            ArrayNode calls = t.putArray("toolCalls");
            for (ToolOutcome outcome : turn.outcomes()) {
                calls.addObject().put("id", outcome.callId()).put("tool", outcome.tool()).put("arguments", redact
                        .apply(outcome.arguments())).put("status", outcome.status().name()).put("result", redact
                                .apply(outcome.result()));
            }
            t.putObject("usage").put("inputTokens", turn.usage().inputTokens()).put("outputTokens", turn.usage()
                    .outputTokens());
        }
        return node;
    }

    /**
     * @param event something that happened in a run
     * @param redact hides secrets
     * @return the lines a person reads for it (none for an event that says nothing new), each on one line
     */
    static java.util.List<String> lines(AgentEvent event, UnaryOperator<String> redact) {
        return switch (event) {
            case AgentEvent.TurnStarted t -> java.util.List.of("── turn " + t.turn());
            case AgentEvent.Replied r -> {
                java.util.List<String> lines = new java.util.ArrayList<>();
                String text = r.turn().reply().content().strip();
                if (!text.isEmpty()) {
                    lines.add("  " + clip(redact.apply(text)));
                }
                for (ToolCall call : r.turn().reply().toolCalls()) {
                    lines.add("  → " + call.name() + " " + clip(redact.apply(call.arguments())));
                }
                yield lines;
            }
            case AgentEvent.ToolStarted s -> java.util.List.of();
            case AgentEvent.ToolEnded e -> java.util.List.of("  ← " + e.outcome().tool() + " " + e.outcome().status()
                    .name().toLowerCase(Locale.ROOT) + ": " + clip(redact.apply(e.outcome().result())));
            case AgentEvent.Stopped s -> java.util.List.of("── " + s.result().stopReason().name().toLowerCase(
                    Locale.ROOT) + ": " + redact.apply(s.result().detail()));
        };
    }

    /** {@return the text on one line, cut to a readable length} */
    static String clip(String text) {
        String one = text.replaceAll("\\s+", " ").strip();
        return Output.safe(one.length() <= SHOWN ? one : one.substring(0, SHOWN) + "…");
    }
}
