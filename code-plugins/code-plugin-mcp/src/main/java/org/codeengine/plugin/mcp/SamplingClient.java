package org.codeengine.plugin.mcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.RateLimits;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.api.spi.ToolSpec;
import org.codeengine.plugin.mcp.internal.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A model reached through the MCP client that made a request: each completion is a {@code sampling/createMessage}
 * the client answers with its own model (under its user's supervision), so a server without provider keys can still
 * think. Tool calling rides on sampling with tools (SEP-1577, revision 2025-11-25): the request carries
 * {@code tools}, the reply's {@code tool_use} blocks become {@link ToolCall}s, and tool results go back as
 * {@code tool_result} blocks of a user message. The client reports no token counts: usage is estimated at four
 * characters a token. Valid while the request it was made for runs.
 */
public final class SamplingClient implements ExpertClient {
    private final McpRequestContext context;

    /** @param context the request whose client answers */
    public SamplingClient(McpRequestContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * {@return whether its client can answer sampling requests that carry tools}
     *
     * @param context a request
     */
    public static boolean samplesWithTools(McpRequestContext context) {
        return context.clientCapabilities().path("sampling").has("tools");
    }

    /**
     * @throws InvalidRequestException if the request has tools and the client declared no {@code sampling.tools}
     * @throws McpException if the client has no sampling capability, refuses, or answers with no content
     */
    @Override
    public ChatResponse complete(ChatRequest request) {
        if (!request.tools().isEmpty() && !samplesWithTools(context)) {
            throw new InvalidRequestException("the MCP client cannot sample with tools (it declared no "
                    + "sampling.tools capability), and this model needs them", null);
        }
        long began = System.nanoTime();
        ObjectNode params = params(request);
        JsonNode result = context.sample(params);
        return response(result, request, params.toString().length(), Duration.ofNanos(System.nanoTime() - began));
    }

    /** {@return the {@code sampling/createMessage} params for a chat request} */
    static ObjectNode params(ChatRequest request) {
        ObjectNode params = Json.object();
        StringBuilder system = new StringBuilder();
        ArrayNode messages = params.putArray("messages");
        ArrayNode pendingResults = null;
        for (ChatMessage m : request.messages()) {
            if (m.role() != ChatMessage.Role.TOOL) {
                pendingResults = null;
            }
            switch (m.role()) {
                case SYSTEM -> system.append(system.isEmpty() ? "" : "\n\n").append(m.content());
                case USER -> messages.addObject().put("role", "user").putObject("content").put("type", "text").put(
                        "text", m.content());
                case ASSISTANT -> {
                    ArrayNode content = messages.addObject().put("role", "assistant").putArray("content");
                    if (!m.content().isEmpty()) {
                        content.addObject().put("type", "text").put("text", m.content());
                    }
                    for (ToolCall call : m.toolCalls()) {
                        content.addObject().put("type", "tool_use").put("id", call.id()).put("name", call.name())
                                .set("input", input(call.arguments()));
                    }
                }
                case TOOL -> {
                    // the results of one turn's calls share one user message, which holds nothing else
                    if (pendingResults == null) {
                        pendingResults = messages.addObject().put("role", "user").putArray("content");
                    }
                    ObjectNode block = pendingResults.addObject().put("type", "tool_result").put("toolUseId", m
                            .toolCallId());
                    block.putArray("content").addObject().put("type", "text").put("text", m.content());
                }
            }
        }
        if (!system.isEmpty()) {
            params.put("systemPrompt", system.toString());
        }
        params.put("maxTokens", request.maxTokens()).put("temperature", request.temperature());
        if (!request.stop().isEmpty()) {
            ArrayNode stop = params.putArray("stopSequences");
            request.stop().forEach(stop::add);
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = params.putArray("tools");
            for (ToolSpec tool : request.tools()) {
                tools.addObject().put("name", tool.name()).put("description", tool.description()).set(
                        "inputSchema", tool.parameters());
            }
            params.putObject("toolChoice").put("mode", "auto");
        }
        return params;
    }

    /** {@return the arguments a model wrote, as an object; text that is no JSON object is kept under {@code _raw}} */
    private static JsonNode input(String arguments) {
        try {
            JsonNode parsed = Json.JSON.readTree(arguments.isBlank() ? "{}" : arguments);
            if (parsed.isObject()) {
                return parsed;
            }
        } catch (JacksonException e) {
            // kept as written below: the model sees what it sent
        }
        return Json.object().put("_raw", arguments);
    }

    static ChatResponse response(JsonNode result, ChatRequest request, int promptChars, Duration latency) {
        JsonNode content = result.get("content");
        if (content == null || content.isNull()) {
            throw new McpException(McpException.INTERNAL_ERROR, "the client's sampling result has no content", null);
        }
        List<JsonNode> blocks = new ArrayList<>();
        if (content.isArray()) {
            content.forEach(blocks::add);
        } else {
            blocks.add(content);
        }
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode block : blocks) {
            switch (block.path("type").asString("")) {
                case "text" -> text.append(block.path("text").asString(""));
                case "tool_use" -> calls.add(new ToolCall(block.path("id").asString(""), block.path("name")
                        .asString("?"),
                        block.path("input").isMissingNode()
                                ? "{}"
                                : block.path("input")
                                        .toString()));
                default -> {
                    // images and audio say nothing an agent's loop reads
                }
            }
        }
        ChatResponse.FinishReason finish = switch (result.path("stopReason").asString("")) {
            case "endTurn", "stopSequence" -> ChatResponse.FinishReason.STOP;
            case "maxTokens" -> ChatResponse.FinishReason.LENGTH;
            case "toolUse" -> ChatResponse.FinishReason.TOOL_CALL;
            default -> calls.isEmpty() ? ChatResponse.FinishReason.OTHER : ChatResponse.FinishReason.TOOL_CALL;
        };
        String model = result.path("model").asString(request.model());
        int outputChars = text.length() + calls.stream().mapToInt(c -> c.arguments().length()).sum();
        return new ChatResponse(text.toString(), model, finish, new Usage((promptChars + 3) / 4, (outputChars + 3)
                / 4), latency, null, calls, null, null, RateLimits.UNKNOWN);
    }

    @Override
    public void close() {}
}
