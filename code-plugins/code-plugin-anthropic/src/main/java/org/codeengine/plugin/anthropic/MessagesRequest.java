package org.codeengine.plugin.anthropic;

import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ResponseFormat;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.api.spi.ToolSpec;
import org.codeengine.plugin.support.JsonBodies;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link ChatRequest} as the body of {@code POST /v1/messages}; see {@link AnthropicClient} for the rules.
 *
 * @param body the JSON body
 * @param format the tool that carries a JSON answer, or null when the reply is free text
 */
record MessagesRequest(ObjectNode body, @Nullable FormatTool format) {
    /** The name of the tool that carries a {@link ResponseFormat.Kind#JSON} answer. */
    static final String JSON_TOOL = "json_response";

    /**
     * The tool that carries a JSON answer: its input is the answer.
     *
     * @param name the tool's name
     * @param wrapped whether the schema is not an object schema and the answer is the input's {@code value}
     */
    record FormatTool(String name, boolean wrapped) {
        /**
         * {@return the answer as JSON text}
         *
         * @param input the tool's input as JSON text
         */
        String answer(String input) {
            if (!wrapped) {
                return input;
            }
            try {
                JsonNode value = JsonBodies.JSON.readTree(input).get("value");
                return value == null ? input : value.toString();
            } catch (JacksonException e) {
                return input;
            }
        }
    }

    /**
     * {@return the body}
     *
     * @param request the request
     * @param stream whether to ask for a stream
     * @param thinkingBudget tokens of extended thinking, or 0 for none
     * @throws InvalidRequestException if a tool call's arguments in the conversation are not a JSON object
     */
    static MessagesRequest of(ChatRequest request, boolean stream, int thinkingBudget) {
        ObjectNode body = JsonBodies.object();
        body.put("model", request.model());
        body.put("max_tokens", request.maxTokens() + thinkingBudget);
        List<String> system = new ArrayList<>();
        ArrayNode messages = JsonBodies.JSON.createArrayNode();
        String lastRole = null;
        ArrayNode content = null;
        for (ChatMessage m : request.messages()) {
            if (m.role() == ChatMessage.Role.SYSTEM) {
                system.add(m.content());
                continue;
            }
            String role = m.role() == ChatMessage.Role.ASSISTANT ? "assistant" : "user";
            if (!role.equals(lastRole)) {
                ObjectNode message = messages.addObject();
                message.put("role", role);
                content = message.putArray("content");
                lastRole = role;
            }
            blocks(m, content);
        }
        for (JsonNode message : messages) {
            JsonNode blocks = message.get("content");
            if (blocks.size() == 1 && blocks.get(0).path("type").asString().equals("text")) {
                ((ObjectNode) message).put("content", blocks.get(0).get("text").asString());
            }
        }
        FormatTool format = formatTool(request.format());
        boolean forced = format != null && request.tools().isEmpty() && thinkingBudget == 0;
        if (format != null && !forced) {
            system.add("Give your final answer by calling the tool " + format.name() + "; its input is the answer.");
        }
        if (!system.isEmpty()) {
            body.put("system", String.join("\n\n", system));
        }
        body.set("messages", messages);
        if (thinkingBudget == 0) {
            body.put("temperature", Math.min(1.0, request.temperature()));
        }
        List<String> stops = request.stop().stream().filter(s -> !s.isBlank()).toList();
        if (!stops.isEmpty()) {
            ArrayNode stop = body.putArray("stop_sequences");
            stops.forEach(stop::add);
        }
        if (!request.tools().isEmpty() || format != null) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec t : request.tools()) {
                tools.addObject().put("name", t.name()).put("description", t.description()).set("input_schema", t
                        .parameters());
            }
            if (format != null) {
                tools.add(schemaTool(format, request.format()));
                ObjectNode choice = body.putObject("tool_choice");
                if (forced) {
                    choice.put("type", "tool").put("name", format.name());
                } else {
                    choice.put("type", thinkingBudget == 0 ? "any" : "auto");
                }
            }
        }
        if (thinkingBudget > 0) {
            body.putObject("thinking").put("type", "enabled").put("budget_tokens", thinkingBudget);
        }
        if (stream) {
            body.put("stream", true);
        }
        return new MessagesRequest(body, format);
    }

    private static void blocks(ChatMessage m, ArrayNode content) {
        switch (m.role()) {
            case TOOL -> content.addObject().put("type", "tool_result").put("tool_use_id", m.toolCallId()).put(
                    "content", m.content());
            case ASSISTANT -> {
                if (!m.content().isEmpty() || m.toolCalls().isEmpty()) {
                    content.addObject().put("type", "text").put("text", m.content());
                }
                for (ToolCall c : m.toolCalls()) {
                    content.addObject().put("type", "tool_use").put("id", c.id()).put("name", c.name()).set("input",
                            input(c));
                }
            }
            default -> content.addObject().put("type", "text").put("text", m.content());
        }
    }

    private static JsonNode input(ToolCall call) {
        if (call.arguments().isBlank()) {
            return JsonBodies.object();
        }
        try {
            JsonNode input = JsonBodies.JSON.readTree(call.arguments());
            if (input != null && input.isObject()) {
                return input;
            }
        } catch (JacksonException e) {
            // reported below
        }
        throw new InvalidRequestException("the arguments of tool call " + call.id() + " (" + call.name()
                + ") are not a JSON object, and Anthropic takes tool input only as one", null);
    }

    private static @Nullable FormatTool formatTool(@Nullable ResponseFormat format) {
        if (format == null || format.kind() == ResponseFormat.Kind.TEXT) {
            return null;
        }
        if (format.kind() == ResponseFormat.Kind.JSON) {
            return new FormatTool(JSON_TOOL, false);
        }
        String name = format.name() != null && format.name().matches("[A-Za-z0-9_-]{1,64}")
                ? format.name()
                : JSON_TOOL;
        JsonNode type = format.schema().get("type");
        return new FormatTool(name, type == null || !type.isString() || !type.asString().equals("object"));
    }

    private static ObjectNode schemaTool(FormatTool format, ResponseFormat responseFormat) {
        ObjectNode tool = JsonBodies.object();
        tool.put("name", format.name());
        tool.put("description", "Gives the final answer: the input is the answer, as JSON.");
        if (responseFormat.kind() == ResponseFormat.Kind.JSON) {
            tool.putObject("input_schema").put("type", "object");
        } else if (format.wrapped()) {
            ObjectNode schema = tool.putObject("input_schema").put("type", "object");
            schema.putObject("properties").set("value", responseFormat.schema());
            schema.putArray("required").add("value");
        } else {
            tool.set("input_schema", responseFormat.schema());
        }
        return tool;
    }
}
