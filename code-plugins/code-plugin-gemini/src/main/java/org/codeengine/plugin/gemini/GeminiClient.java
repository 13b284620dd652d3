package org.codeengine.plugin.gemini;

import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.experts.Usage;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ChatResponse.FinishReason;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.RateLimits;
import org.codeengine.api.spi.ResponseFormat;
import org.codeengine.api.spi.StreamListener;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.api.spi.ToolSpec;
import org.codeengine.plugin.support.HttpErrors;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.LineStream;
import org.codeengine.plugin.support.ProviderHttp;
import org.codeengine.plugin.support.RateLimitHeaders;
import org.codeengine.plugin.support.Settings;
import org.codeengine.plugin.support.SseReader;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** One connection to the Gemini API. Thread-safe. */
final class GeminiClient implements ExpertClient {
    private static final String NAME = "gemini";
    /**
     * The value Google documents for a function call replayed without the thought signature it came with: Gemini 3
     * rejects a replayed call without one, and {@link ToolCall} has no room to carry the real one.
     */
    static final String SKIP_SIGNATURE = "skip_thought_signature_validator";
    private static final Set<String> FILTERED = Set.of("SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT",
            "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION");
    private static final int MAX_STRAY = 64 * 1024;
    private static final StreamListener NOBODY = delta -> {
    };
    private final String base;
    private final @Nullable Secret key;
    private final ProviderHttp http;
    private final Duration idle;
    private final boolean includeThoughts;
    private final String schemaField;

    GeminiClient(URI base, @Nullable Secret key, ProviderConfig config) {
        String b = base.toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.key = key;
        Map<String, String> settings = config.settings();
        this.http = ProviderHttp.create(NAME, config);
        this.idle = Settings.duration(settings, Settings.STREAM_IDLE_TIMEOUT, Duration.ofSeconds(60));
        this.includeThoughts = Settings.flag(settings, "include-thoughts", false);
        this.schemaField = settings.getOrDefault("schema-field", "responseJsonSchema");
    }

    @Override
    public ChatResponse complete(ChatRequest request) {
        long began = System.nanoTime();
        HttpResponse<byte[]> response = http.sendWholeReadingErrors(httpRequest(request, false),
                GeminiClient::errorBody);
        JsonNode root = JsonBodies.read(response.body(), NAME);
        Reply reply = new Reply(request.model(), began);
        reply.take(root, NOBODY);
        if (root.path("candidates").isEmpty()) {
            throw new UnavailableException("malformed reply from " + NAME + ": no candidates", null, null);
        }
        return reply.response(response, limits(response), null);
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        long began = System.nanoTime();
        HttpResponse<InputStream> response = http.sendReadingErrors(httpRequest(request, true),
                GeminiClient::errorBody);
        Reply reply = new Reply(request.model(), began);
        StringBuilder stray = new StringBuilder();
        try (SseReader events = new SseReader(new LineStream(response.body(), idle, NAME), line -> stray(stray,
                line))) {
            for (SseReader.Event e = events.next(); e != null; e = events.next()) {
                reply.take(JsonBodies.parse(e.data(), NAME), listener);
            }
        }
        if (reply.finish == null) {
            throw new UnavailableException("the stream from " + NAME + " ended without a finishReason", null, null);
        }
        return reply.response(response, limits(response), Duration.ofNanos(reply.firstToken == null
                ? System.nanoTime() - began
                : reply.firstToken));
    }

    /**
     * Google ends a broken stream with its error as bare, pretty-printed JSON outside the event framing: the lines
     * are gathered until they make a whole JSON value, which is thrown if it is an error.
     */
    private static void stray(StringBuilder stray, String line) {
        if (stray.length() > MAX_STRAY) {
            stray.setLength(0); // not an error body: those are short
        }
        stray.append(line).append('\n');
        String end = line.strip();
        if (!end.endsWith("}") && !end.endsWith("]")) {
            return;
        }
        JsonNode value;
        try {
            value = JsonBodies.JSON.readTree(stray.toString());
        } catch (JacksonException incomplete) {
            return;
        }
        stray.setLength(0);
        error(value);
    }

    /** What the chunks of a reply (or the one body of a complete reply) add up to. */
    private static final class Reply {
        private final long began;
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder reasoning = new StringBuilder();
        private final List<ToolCall> calls = new ArrayList<>();
        private String model;
        private @Nullable String finish;
        private Usage usage = Usage.NONE;
        private @Nullable String responseId;
        private @Nullable Long firstToken;

        Reply(String model, long began) {
            this.model = model;
            this.began = began;
        }

        void take(JsonNode chunk, StreamListener listener) {
            error(chunk);
            JsonNode feedback = chunk.path("promptFeedback");
            if (feedback.hasNonNull("blockReason")) {
                String why = feedback.path("blockReasonMessage").asString("");
                throw new InvalidRequestException(NAME + " blocked the prompt: " + feedback.get("blockReason")
                        .asString() + (why.isEmpty() ? "" : " (" + why + ")"), null);
            }
            model = chunk.path("modelVersion").asString(model);
            if (responseId == null && chunk.hasNonNull("responseId")) {
                responseId = chunk.get("responseId").asString();
            }
            if (chunk.hasNonNull("usageMetadata")) {
                usage = usage(chunk.get("usageMetadata"));
            }
            JsonNode candidate = chunk.path("candidates").path(0);
            for (JsonNode part : candidate.path("content").path("parts")) {
                part(part, listener);
            }
            if (candidate.hasNonNull("finishReason")) {
                finish = candidate.get("finishReason").asString();
            }
        }

        private void part(JsonNode part, StreamListener listener) {
            String piece = part.path("text").asString("");
            JsonNode call = part.get("functionCall");
            if ((!piece.isEmpty() || call != null) && firstToken == null) {
                firstToken = System.nanoTime() - began;
            }
            if (part.path("thought").asBoolean(false)) {
                if (!piece.isEmpty()) {
                    reasoning.append(piece);
                    listener.onReasoning(piece);
                }
            } else if (!piece.isEmpty()) {
                text.append(piece);
                listener.onText(piece);
            }
            if (call != null && call.isObject()) {
                JsonNode args = call.get("args");
                ToolCall toolCall = new ToolCall(call.path("id").asString(""), call.path("name").asString(),
                        args == null || args.isNull() ? "{}" : args.toString());
                calls.add(toolCall);
                listener.onToolCall(toolCall);
            }
        }

        ChatResponse response(HttpResponse<?> http, RateLimits limits, @Nullable Duration timeToFirstToken) {
            String id = responseId != null ? responseId : ProviderHttp.requestId(http.headers());
            return new ChatResponse(text.toString(), model, finish(finish == null ? "" : finish, !calls.isEmpty()),
                    usage, Duration.ofNanos(System.nanoTime() - began), timeToFirstToken, calls, reasoning.isEmpty()
                            ? null
                            : reasoning.toString(),
                    id, limits);
        }
    }

    /** Gemini sends no rate-limit headers; a proxy in front of it may. */
    private RateLimits limits(HttpResponse<?> response) {
        return RateLimitHeaders.parse(response.headers(), http.clock());
    }

    private HttpRequest httpRequest(ChatRequest request, boolean stream) {
        URI uri = URI.create(base + "/" + modelPath(request.model()) + (stream
                ? ":streamGenerateContent?alt=sse"
                : ":generateContent"));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(http.budget()).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(body(request).toString()));
        if (key != null) {
            b.header("x-goog-api-key", key.reveal());
        }
        return b.build();
    }

    /** {@code gemini-2.5-flash} becomes {@code models/gemini-2.5-flash}; {@code tunedModels/x} stays as it is. */
    private static String modelPath(String model) {
        if (!model.matches("[A-Za-z0-9._/-]+")) {
            throw new InvalidRequestException("model must be letters, digits, '.', '_', '-' or '/' for " + NAME
                    + " but was '" + model + "'", null);
        }
        return model.contains("/") ? model : "models/" + model;
    }

    ObjectNode body(ChatRequest request) {
        ObjectNode body = JsonBodies.object();
        ArrayNode contents = body.putArray("contents");
        ArrayNode system = null;
        ObjectNode last = null;
        List<ChatMessage> messages = request.messages();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.role() == ChatMessage.Role.SYSTEM) {
                if (system == null) {
                    system = body.putObject("systemInstruction").putArray("parts");
                }
                system.addObject().put("text", m.content());
                continue;
            }
            String role = m.role() == ChatMessage.Role.ASSISTANT ? "model" : "user";
            if (last == null || !last.path("role").asString().equals(role)) {
                last = contents.addObject().put("role", role);
                last.putArray("parts");
            }
            ArrayNode parts = (ArrayNode) last.get("parts");
            switch (m.role()) {
                case ASSISTANT -> modelParts(m, parts);
                case TOOL -> {
                    ObjectNode response = parts.addObject().putObject("functionResponse");
                    if (!m.toolCallId().isEmpty()) {
                        response.put("id", m.toolCallId());
                    }
                    response.put("name", toolName(messages, i));
                    response.set("response", toolResult(m.content()));
                }
                default -> parts.addObject().put("text", m.content());
            }
        }
        ObjectNode config = body.putObject("generationConfig");
        config.put("temperature", request.temperature());
        config.put("maxOutputTokens", request.maxTokens());
        if (!request.stop().isEmpty()) {
            ArrayNode stop = config.putArray("stopSequences");
            request.stop().forEach(stop::add);
        }
        ResponseFormat format = request.format();
        if (format != null && format.kind() != ResponseFormat.Kind.TEXT) {
            config.put("responseMimeType", "application/json");
            if (format.kind() == ResponseFormat.Kind.JSON_SCHEMA) {
                config.set(schemaField, format.schema());
            }
        }
        if (includeThoughts) {
            config.putObject("thinkingConfig").put("includeThoughts", true);
        }
        if (!request.tools().isEmpty()) {
            ArrayNode declarations = body.putArray("tools").addObject().putArray("functionDeclarations");
            for (ToolSpec t : request.tools()) {
                declarations.addObject().put("name", t.name()).put("description", t.description()).set("parameters",
                        t.parameters());
            }
        }
        return body;
    }

    private static void modelParts(ChatMessage m, ArrayNode parts) {
        if (!m.content().isEmpty() || m.toolCalls().isEmpty()) {
            parts.addObject().put("text", m.content());
        }
        boolean first = true;
        for (ToolCall c : m.toolCalls()) {
            ObjectNode part = parts.addObject();
            ObjectNode call = part.putObject("functionCall");
            if (!c.id().isEmpty()) {
                call.put("id", c.id());
            }
            call.put("name", c.name());
            call.set("args", arguments(c));
            if (first) {
                part.put("thoughtSignature", SKIP_SIGNATURE);
                first = false;
            }
        }
    }

    private static JsonNode arguments(ToolCall call) {
        if (call.arguments().isBlank()) {
            return JsonBodies.object();
        }
        JsonNode args;
        try {
            args = JsonBodies.JSON.readTree(call.arguments());
        } catch (JacksonException e) {
            args = null;
        }
        if (args == null || !args.isObject()) {
            throw new InvalidRequestException("the arguments of tool call " + call.name() + " must be a JSON object"
                    + " for " + NAME, null);
        }
        return args;
    }

    /** A result that is a JSON object is the response; anything else is its {@code output}. */
    private static JsonNode toolResult(String content) {
        JsonNode value;
        try {
            value = JsonBodies.JSON.readTree(content);
        } catch (JacksonException e) {
            value = null;
        }
        if (value != null && value.isObject()) {
            return value;
        }
        ObjectNode wrapped = JsonBodies.object();
        if (value == null || value.isMissingNode()) {
            wrapped.put("output", content);
        } else {
            wrapped.set("output", value);
        }
        return wrapped;
    }

    /**
     * Gemini answers a function by its name, which a tool message does not carry: the call with the same id, else
     * the call at the same place among the tool messages that follow an assistant's calls, else the id itself.
     */
    static String toolName(List<ChatMessage> messages, int index) {
        String id = messages.get(index).toolCallId();
        if (id != null && !id.isEmpty()) {
            for (int j = index - 1; j >= 0; j--) {
                for (ToolCall c : messages.get(j).toolCalls()) {
                    if (c.id().equals(id)) {
                        return c.name();
                    }
                }
            }
        }
        int position = 0;
        for (int j = index - 1; j >= 0 && messages.get(j).role() != ChatMessage.Role.USER; j--) {
            ChatMessage m = messages.get(j);
            if (m.role() == ChatMessage.Role.TOOL) {
                position++;
            } else if (m.role() == ChatMessage.Role.ASSISTANT) {
                if (position < m.toolCalls().size()) {
                    return m.toolCalls().get(position).name();
                }
                break;
            }
        }
        if (id != null && !id.isBlank()) {
            return id;
        }
        throw new InvalidRequestException("the tool result in message " + index + " answers no earlier tool call;"
                + " " + NAME + " needs the function's name", null);
    }

    /** Reads Google's error body: {@code {"error": {"code", "message", "status", "details": [...]}}}. */
    static ProviderHttp.ErrorBody errorBody(String body) {
        JsonNode error = unwrap(JsonBodies.JSON.readTree(body)).path("error");
        return new ProviderHttp.ErrorBody(error.path("message").asString(null), authentication(error) ? 401 : null,
                retryDelay(error));
    }

    /** An error object in a 200 reply or in a stream is an error. */
    private static void error(JsonNode root) {
        JsonNode error = unwrap(root).get("error");
        if (error == null || !error.isObject()) {
            return;
        }
        int code = error.path("code").isIntegralNumber() ? error.path("code").asInt() : 500;
        int status = code >= 400 && code < 600 ? code : 500;
        throw HttpErrors.map(NAME, status, authentication(error) ? 401 : status, error.path("message").asString(
                "unknown error"), null, retryDelay(error));
    }

    /** Google's streams and some of its front ends wrap the error in an array. */
    private static JsonNode unwrap(JsonNode root) {
        return root.isArray() && !root.isEmpty() ? root.get(0) : root;
    }

    /** A bad key: status {@code UNAUTHENTICATED}, or the reason {@code API_KEY_INVALID} that comes with a 400. */
    private static boolean authentication(JsonNode error) {
        if (error.path("status").asString("").equals("UNAUTHENTICATED")) {
            return true;
        }
        for (JsonNode detail : error.path("details")) {
            if (detail.path("reason").asString("").equals("API_KEY_INVALID")) {
                return true;
            }
        }
        return false;
    }

    /** The {@code retryDelay} of a {@code google.rpc.RetryInfo} detail ({@code "0.300s"}), or null. */
    static @Nullable Duration retryDelay(JsonNode error) {
        for (JsonNode detail : error.path("details")) {
            if (!detail.path("@type").asString("").endsWith("google.rpc.RetryInfo")) {
                continue;
            }
            String delay = detail.path("retryDelay").asString("").strip();
            if (!delay.endsWith("s")) {
                return null;
            }
            try {
                BigDecimal seconds = new BigDecimal(delay.substring(0, delay.length() - 1));
                return seconds.signum() < 0
                        ? null
                        : Duration.ofNanos(seconds.movePointRight(9).toBigInteger()
                                .longValueExact());
            } catch (NumberFormatException | ArithmeticException e) {
                return null;
            }
        }
        return null;
    }

    private static Usage usage(JsonNode usage) {
        long input = usage.path("promptTokenCount").asLong(0) + usage.path("toolUsePromptTokenCount").asLong(0);
        long output = usage.path("candidatesTokenCount").asLong(0) + usage.path("thoughtsTokenCount").asLong(0);
        return new Usage(Math.max(0, input), Math.max(0, output));
    }

    static FinishReason finish(String reason, boolean calledTools) {
        if (FILTERED.contains(reason)) {
            return FinishReason.CONTENT_FILTER;
        }
        return switch (reason) {
            case "STOP", "" -> calledTools ? FinishReason.TOOL_CALL : FinishReason.STOP;
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            default -> FinishReason.OTHER;
        };
    }

    @Override
    public void close() {
        http.client().close();
    }

    @Override
    public String toString() {
        return "GeminiClient[" + base + ", key=" + (key == null ? "none" : "***") + "]";
    }
}
