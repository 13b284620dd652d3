package org.codeengine.core.internal.agents;

import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.StoreException;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ToolCall;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The JSON forms of what the journal keeps: a model's reply with its usage and cost, and the spec of a run. */
final class JournalCodec {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A reply as the journal keeps it. */
    record Reply(ChatMessage message, Usage usage, double costUsd) {}

    private JournalCodec() {}

    static String reply(ChatMessage message, Usage usage, double costUsd) {
        ObjectNode node = JSON.createObjectNode().put("text", message.content()).put("in", usage.inputTokens()).put(
                "out", usage.outputTokens()).put("cost", costUsd);
        ArrayNode calls = node.putArray("calls");
        for (ToolCall call : message.toolCalls()) {
            calls.addObject().put("id", call.id()).put("name", call.name()).put("arguments", call.arguments());
        }
        return node.toString();
    }

    static Reply reply(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode call : node.path("calls")) {
                calls.add(new ToolCall(call.path("id").asString(), call.path("name").asString(), call.path(
                        "arguments").asString()));
            }
            return new Reply(new ChatMessage(ChatMessage.Role.ASSISTANT, node.path("text").asString(), calls, null),
                    new Usage(node.path("in").asLong(), node.path("out").asLong()), node.path("cost").asDouble());
        } catch (JacksonException | IllegalArgumentException e) {
            throw new StoreException("a journaled reply cannot be read: " + e.getMessage(), e);
        }
    }

    /** {@return the spec as a role file in JSON, which {@link RoleCodec#parse} reads back as the same spec} */
    static String spec(AgentSpec spec) {
        ObjectNode node = JSON.createObjectNode().put("name", spec.name()).put("description", spec.description()).put(
                "role", spec.role());
        ObjectNode brain = node.putObject("brain");
        switch (spec.brain()) {
            case Brain.Model m -> {
                brain.put("provider", m.provider()).put("model", m.model());
                brain.putObject("price").put("input", m.price().inputPerMillion()).put("output", m.price()
                        .outputPerMillion());
            }
            case Brain.Panel p -> brain.put("panel", p.name());
        }
        ArrayNode tools = node.putArray("tools");
        spec.tools().forEach(tools::add);
        node.putObject("budget").put("steps", spec.budget().steps()).put("tokens", spec.budget().tokens()).put("cost",
                spec.budget().costUsd()).put("wallTime", spec.budget().wallTime().toString()).put("malformedCalls",
                        spec.budget().malformedCalls());
        ObjectNode gate = node.putObject("gate").put("mode", spec.gate().mode().name().toLowerCase(
                java.util.Locale.ROOT));
        if (spec.gate().panel() != null) {
            gate.put("panel", spec.gate().panel());
        }
        return node.toString();
    }
}
