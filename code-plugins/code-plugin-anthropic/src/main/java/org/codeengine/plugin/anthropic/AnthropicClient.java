package org.codeengine.plugin.anthropic;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.codeengine.api.CodeException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ChatResponse.FinishReason;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.RateLimits;
import org.codeengine.api.spi.StreamListener;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.plugin.anthropic.MessagesRequest.FormatTool;
import org.codeengine.plugin.support.BaseUrls;
import org.codeengine.plugin.support.HttpErrors;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.LineStream;
import org.codeengine.plugin.support.ProviderHttp;
import org.codeengine.plugin.support.RateLimitHeaders;
import org.codeengine.plugin.support.Settings;
import org.codeengine.plugin.support.SseReader;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One connection to Anthropic's Messages API. Thread-safe.
 *
 * <p>Requests: system messages, wherever they stand, are joined into the top-level {@code system} field; the others
 * become {@code user} and {@code assistant} messages, consecutive ones of one role merged into one message of content
 * blocks, since the API wants the roles to alternate. A tool result is a {@code tool_result} block in a user message;
 * an assistant's tool call a {@code tool_use} block whose {@code input} is the call's arguments parsed (they must be a
 * JSON object). {@code max_tokens} is always sent; the temperature is capped at 1, Anthropic's highest; stop
 * sequences that are only whitespace are left out, since the API refuses them. With the setting
 * {@code thinking-budget}, extended thinking is asked for with that budget, {@code max_tokens} is the request's plus
 * the budget, and no temperature is sent (the API allows none with thinking). Thinking blocks come back as the reply's
 * reasoning. The signed thinking blocks are not kept in the conversation, so a tool loop with thinking on is refused
 * by the API from its second turn.
 *
 * <p>JSON output: the Messages API has no JSON mode, so a {@code JSON} or {@code JSON_SCHEMA} response format is asked
 * for the way Anthropic's tool-use guide describes: a tool ({@code json_response}, or the schema's name) whose input
 * schema is the wanted schema ({@code {"type":"object"}} for any JSON object; a schema that is not an object schema is
 * wrapped as the property {@code value} and unwrapped again), and a {@code tool_choice} forcing that tool. With other
 * tools in the request the choice is {@code any} (some tool must be called) and, with thinking on, {@code auto}; the
 * system prompt then says to answer through that tool. The tool's input becomes the reply's text, is not reported as a
 * tool call, and its {@code tool_use} stop counts as a normal stop.
 *
 * <p>Replies: text blocks are the text; usage counts input tokens with those written to and read from the prompt
 * cache; {@code end_turn} and {@code stop_sequence} are STOP, {@code max_tokens} and
 * {@code model_context_window_exceeded} LENGTH, {@code tool_use} TOOL_CALL, {@code refusal} CONTENT_FILTER, others
 * ({@code pause_turn}) OTHER. A stream must end with {@code message_stop}; an {@code error} event in it is mapped as
 * the HTTP status of its error type would be ({@code overloaded_error} as 529, retriable).
 */
final class AnthropicClient implements ExpertClient {
    private static final String NAME = "anthropic";
    private final URI endpoint;
    private final @Nullable Secret key;
    private final ProviderHttp http;
    private final Duration idle;
    private final String version;
    private final @Nullable String beta;
    private final int thinkingBudget;

    AnthropicClient(URI base, @Nullable Secret key, ProviderConfig config) {
        Map<String, String> settings = config.settings();
        this.endpoint = BaseUrls.endpoint(base, "v1/messages");
        this.key = key;
        this.http = ProviderHttp.create(NAME, config);
        this.idle = Settings.duration(settings, Settings.STREAM_IDLE_TIMEOUT, Duration.ofSeconds(60));
        this.version = settings.getOrDefault("anthropic-version", "2023-06-01");
        this.beta = settings.get("anthropic-beta");
        this.thinkingBudget = Settings.count(settings, "thinking-budget", 0);
    }

    @Override
    public ChatResponse complete(ChatRequest request) {
        long began = System.nanoTime();
        MessagesRequest sent = MessagesRequest.of(request, false, thinkingBudget);
        HttpResponse<byte[]> response = http.sendWhole(httpRequest(sent), AnthropicClient::errorMessage);
        String requestId = ProviderHttp.requestId(response.headers());
        JsonNode root = JsonBodies.read(response.body(), NAME);
        error(root, requestId);
        JsonNode content = root.get("content");
        if (content == null || !content.isArray()) {
            throw new UnavailableException("malformed reply from " + NAME + ": no content", null, null);
        }
        Reply reply = new Reply(sent.format());
        for (JsonNode block : content) {
            switch (block.path("type").asString("")) {
                case "text" -> reply.text.append(block.path("text").asString(""));
                case "thinking" -> reply.reasoning.append(block.path("thinking").asString(""));
                case "tool_use" -> reply.toolUse(block.path("id").asString(""), block.path("name").asString(""),
                        block.path("input").toString());
                default -> {
                    // redacted thinking, server tools' blocks: not part of the answer
                }
            }
        }
        return reply.response(root.path("model").asString(request.model()), root.path("stop_reason").asString(""),
                usage(root.get("usage"), Usage.NONE), began, null, requestId, limits(response));
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        long began = System.nanoTime();
        MessagesRequest sent = MessagesRequest.of(request, true, thinkingBudget);
        HttpResponse<InputStream> response = http.send(httpRequest(sent), AnthropicClient::errorMessage);
        String requestId = ProviderHttp.requestId(response.headers());
        Reply reply = new Reply(sent.format());
        Map<Integer, ToolUse> toolUses = new HashMap<>(); // by the index of its content block
        String model = request.model();
        String stopReason = "";
        Usage usage = Usage.NONE;
        Long firstToken = null;
        boolean done = false;
        try (SseReader events = new SseReader(new LineStream(response.body(), idle, NAME))) {
            for (SseReader.Event e = events.next(); e != null; e = events.next()) {
                JsonNode event = JsonBodies.parse(e.data(), NAME);
                error(event, requestId);
                int index = event.path("index").asInt(0);
                switch (event.path("type").asString(e.event() == null ? "" : e.event())) {
                    case "message_start" -> {
                        JsonNode message = event.path("message");
                        model = message.path("model").asString(model);
                        usage = usage(message.get("usage"), usage);
                    }
                    case "content_block_start" -> {
                        JsonNode block = event.path("content_block");
                        if (block.path("type").asString("").equals("tool_use")) {
                            toolUses.put(index, new ToolUse(block.path("id").asString(""), block.path("name")
                                    .asString(""), block.path("input").toString(), new StringBuilder()));
                        }
                    }
                    case "content_block_delta" -> {
                        JsonNode delta = event.path("delta");
                        String piece = switch (delta.path("type").asString("")) {
                            case "text_delta" -> reply.streamText(delta.path("text").asString(""), listener);
                            case "thinking_delta" -> reply.streamReasoning(delta.path("thinking").asString(""),
                                    listener);
                            case "input_json_delta" -> reply.streamInput(toolUses.get(index), delta.path(
                                    "partial_json").asString(""), listener);
                            default -> ""; // signature_delta, citations_delta
                        };
                        if (!piece.isEmpty() && firstToken == null) {
                            firstToken = System.nanoTime() - began;
                        }
                    }
                    case "content_block_stop" -> {
                        ToolUse use = toolUses.remove(index);
                        if (use != null) {
                            reply.endToolUse(use, listener);
                        }
                    }
                    case "message_delta" -> {
                        stopReason = event.path("delta").path("stop_reason").asString(stopReason);
                        usage = usage(event.get("usage"), usage);
                    }
                    case "message_stop" -> done = true;
                    default -> {
                        // ping, and events added later
                    }
                }
                if (done) {
                    break;
                }
            }
        }
        if (!done) {
            throw new UnavailableException("the stream from " + NAME + " ended without its message_stop event", null,
                    null);
        }
        long untilFirst = firstToken == null ? System.nanoTime() - began : firstToken;
        return reply.response(model, stopReason, usage, began, Duration.ofNanos(untilFirst), requestId, limits(
                response));
    }

    /**
     * A tool use block being streamed.
     *
     * @param id the call's id
     * @param name the tool's name
     * @param start the input given at the block's start (Anthropic sends {@code {}} and then the input in pieces)
     * @param json the pieces of input so far
     */
    private record ToolUse(String id, String name, String start, StringBuilder json) {
        String input() {
            return json.isEmpty() ? start : json.toString();
        }
    }

    /** What a reply has so far: text, reasoning, tool calls, and the answer of the format tool. */
    private static final class Reply {
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder reasoning = new StringBuilder();
        private final List<ToolCall> calls = new ArrayList<>();
        private final @Nullable FormatTool format;

        Reply(@Nullable FormatTool format) {
            this.format = format;
        }

        private boolean isFormat(String name) {
            return format != null && format.name().equals(name);
        }

        void toolUse(String id, String name, String input) {
            if (isFormat(name)) {
                text.append(format.answer(input));
            } else {
                calls.add(new ToolCall(id, name, input));
            }
        }

        String streamText(String piece, StreamListener listener) {
            if (!piece.isEmpty()) {
                text.append(piece);
                listener.onText(piece);
            }
            return piece;
        }

        String streamReasoning(String piece, StreamListener listener) {
            if (!piece.isEmpty()) {
                reasoning.append(piece);
                listener.onReasoning(piece);
            }
            return piece;
        }

        /** A piece of a tool's input; the format tool's input is the answer, so it streams as text when it can. */
        String streamInput(@Nullable ToolUse use, String piece, StreamListener listener) {
            if (use == null) {
                return "";
            }
            use.json().append(piece);
            if (isFormat(use.name()) && !format.wrapped()) {
                streamText(piece, listener);
            }
            return piece;
        }

        void endToolUse(ToolUse use, StreamListener listener) {
            if (!isFormat(use.name())) {
                ToolCall call = new ToolCall(use.id(), use.name(), use.input());
                calls.add(call);
                listener.onToolCall(call);
            } else if (format.wrapped() || use.json().isEmpty()) {
                streamText(format.answer(use.input()), listener); // not streamed piece by piece
            }
        }

        ChatResponse response(String model, String stopReason, Usage usage, long began,
                @Nullable Duration firstToken, @Nullable String requestId, RateLimits limits) {
            return new ChatResponse(text.toString(), model, finish(stopReason, !calls.isEmpty()), usage, Duration
                    .ofNanos(System.nanoTime() - began), firstToken, calls,
                    reasoning.isEmpty()
                            ? null
                            : reasoning
                                    .toString(),
                    requestId, limits);
        }
    }

    private RateLimits limits(HttpResponse<?> response) {
        return RateLimitHeaders.parse(response.headers(), http.clock());
    }

    private HttpRequest httpRequest(MessagesRequest request) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(http.budget()).header("content-type",
                "application/json").header("anthropic-version", version).POST(HttpRequest.BodyPublishers.ofString(
                        request.body().toString()));
        if (key != null) {
            b.header("x-api-key", key.reveal());
        }
        if (beta != null && !beta.isBlank()) {
            b.header("anthropic-beta", beta.strip());
        }
        return b.build();
    }

    /** {@code {"type":"error","error":{"type":"not_found_error","message":"..."}}} as {@code message (type)}. */
    private static @Nullable String errorMessage(String body) {
        String message = JsonBodies.message(body, "error.message");
        String type = JsonBodies.message(body, "error.type");
        return message == null ? null : type == null ? message : message + " (" + type + ")";
    }

    /** An error object as a reply's body or a stream's event is mapped as the status of its type would be. */
    private static void error(JsonNode root, @Nullable String requestId) {
        if (!root.path("type").asString("").equals("error")) {
            return;
        }
        JsonNode error = root.path("error");
        String type = error.path("type").asString("error");
        CodeException mapped = HttpErrors.map(NAME, status(type), "error event: " + error.path("message").asString(
                "unknown error") + " (" + type + ")", requestId, null);
        throw mapped;
    }

    /** {@return the HTTP status Anthropic documents for an error type} */
    static int status(String type) {
        return switch (type) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "billing_error" -> 402;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "timeout_error" -> 504;
            case "overloaded_error" -> 529;
            default -> 500; // api_error and types added later
        };
    }

    /** Input tokens count those written to and read from the prompt cache; a field not given keeps its last value. */
    private static Usage usage(@Nullable JsonNode usage, Usage previous) {
        if (usage == null || !usage.isObject()) {
            return previous;
        }
        long input = usage.has("input_tokens")
                ? Math.max(0, usage.path("input_tokens").asLong(0)) + Math.max(0,
                        usage.path("cache_creation_input_tokens").asLong(0))
                        + Math.max(0, usage.path(
                                "cache_read_input_tokens").asLong(0))
                : previous.inputTokens();
        long output = usage.has("output_tokens")
                ? Math.max(0, usage.path("output_tokens").asLong(0))
                : previous
                        .outputTokens();
        return new Usage(input, output);
    }

    static FinishReason finish(String reason, boolean toolCalls) {
        return switch (reason) {
            case "end_turn", "stop_sequence", "" -> FinishReason.STOP;
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "tool_use" -> toolCalls ? FinishReason.TOOL_CALL : FinishReason.STOP;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    @Override
    public void close() {
        http.client().close();
    }

    @Override
    public String toString() {
        return "AnthropicClient[" + endpoint + ", version=" + version + ", key=" + (key == null ? "none" : "***")
                + "]";
    }
}
