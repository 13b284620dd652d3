package org.codeengine.plugin.ollama;

import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.codeengine.api.ConfigurationException;
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
import org.codeengine.api.spi.ResponseFormat;
import org.codeengine.api.spi.StreamListener;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.LineStream;
import org.codeengine.plugin.support.ProviderHttp;
import org.codeengine.plugin.support.Settings;
import org.codeengine.plugin.support.StreamedReply;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.BooleanNode;
import tools.jackson.databind.node.DecimalNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/** One connection to an Ollama server (or Ollama's cloud). Thread-safe. */
final class OllamaClient implements ExpertClient {
    private static final String NAME = "ollama";
    /** Seconds ({@code 300}, {@code -1}): sent as a number, since Ollama reads a string only as a Go duration. */
    private static final Pattern SECONDS = Pattern.compile("-?\\d+(\\.\\d+)?");
    /** A Go duration, as Ollama parses {@code keep_alive} strings: {@code 5m}, {@code 1h30m}, {@code 500ms}. */
    private static final Pattern GO_DURATION = Pattern.compile("-?(\\d+(\\.\\d*)?(ns|us|µs|ms|s|m|h))+");
    private final URI endpoint;
    private final @Nullable Secret key;
    private final ProviderHttp http;
    private final Duration idle;
    private final @Nullable JsonNode keepAlive;
    private final @Nullable JsonNode think;

    OllamaClient(URI base, @Nullable Secret key, ProviderConfig config) {
        String b = base.toString().replaceAll("/+$", "");
        this.endpoint = URI.create(b + (b.endsWith("/api") ? "/chat" : "/api/chat"));
        this.key = key;
        this.http = ProviderHttp.create(NAME, config);
        Map<String, String> settings = config.settings();
        this.idle = Settings.duration(settings, Settings.STREAM_IDLE_TIMEOUT, Duration.ofSeconds(60));
        this.keepAlive = keepAlive(settings.get("keep-alive"));
        this.think = think(settings.get("think"));
    }

    @Override
    public ChatResponse complete(ChatRequest request) {
        long began = System.nanoTime();
        HttpResponse<byte[]> response = http.sendWhole(httpRequest(body(request, false)), OllamaClient::errorMessage);
        JsonNode root = JsonBodies.read(response.body(), NAME);
        error(root);
        JsonNode message = root.get("message");
        if (message == null || !message.isObject()) {
            throw new UnavailableException("malformed reply from " + NAME + ": no message", null, null);
        }
        List<ToolCall> toolCalls = toolCalls(message.get("tool_calls"), 0);
        String thinking = message.path("thinking").asString("");
        return new ChatResponse(message.path("content").asString(""), root.path("model").asString(request.model()),
                finish(root.path("done_reason").asString(""), toolCalls), usage(root), Duration.ofNanos(System
                        .nanoTime() - began),
                null, toolCalls, thinking.isEmpty() ? null : thinking, ProviderHttp.requestId(response.headers()),
                http.rateLimits(response));
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        StreamedReply reply = new StreamedReply(listener);
        HttpResponse<InputStream> response = http.send(httpRequest(body(request, true)), OllamaClient::errorMessage);
        List<ToolCall> toolCalls = new ArrayList<>();
        String model = request.model();
        JsonNode last = null;
        try (LineStream lines = new LineStream(response.body(), idle, NAME)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode chunk = JsonBodies.parse(line, NAME);
                error(chunk);
                model = chunk.path("model").asString(model);
                JsonNode message = chunk.path("message");
                reply.reasoning(message.path("thinking").asString(""));
                reply.text(message.path("content").asString(""));
                toolCalls.addAll(toolCalls(message.get("tool_calls"), toolCalls.size()));
                if (chunk.path("done").asBoolean(false)) {
                    last = chunk;
                    break;
                }
            }
        }
        if (last == null) {
            throw new UnavailableException("the stream from " + NAME + " ended without its done object", null, null);
        }
        return reply.finish(model, finish(last.path("done_reason").asString(""), toolCalls), usage(last), toolCalls,
                ProviderHttp.requestId(response.headers()), http.rateLimits(response));
    }

    private HttpRequest httpRequest(ObjectNode body) {
        return http.postJson(endpoint, body, key).build();
    }

    ObjectNode body(ChatRequest request, boolean stream) {
        ObjectNode body = JsonBodies.object();
        body.put("model", request.model());
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : request.messages()) {
            ObjectNode message = messages.addObject();
            message.put("role", m.role().name().toLowerCase(Locale.ROOT));
            message.put("content", m.content());
            if (!m.toolCalls().isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (ToolCall c : m.toolCalls()) {
                    ObjectNode call = calls.addObject();
                    if (!c.id().isEmpty()) {
                        call.put("id", c.id());
                    }
                    call.putObject("function").put("name", c.name()).set("arguments", arguments(c));
                }
            }
            if (m.toolCallId() != null) {
                message.put("tool_call_id", m.toolCallId());
                String tool = toolName(request.messages(), m.toolCallId());
                if (tool != null) {
                    message.put("tool_name", tool);
                }
            }
        }
        body.put("stream", stream);
        ObjectNode options = body.putObject("options");
        options.put("temperature", request.temperature());
        options.put("num_predict", request.maxTokens());
        if (!request.stop().isEmpty()) {
            ArrayNode stop = options.putArray("stop");
            request.stop().forEach(stop::add);
        }
        ResponseFormat format = request.format();
        if (format != null && format.kind() == ResponseFormat.Kind.JSON) {
            body.put("format", "json");
        } else if (format != null && format.kind() == ResponseFormat.Kind.JSON_SCHEMA) {
            body.set("format", format.schema());
        }
        JsonBodies.functionTools(body, request.tools());
        if (keepAlive != null) {
            body.set("keep_alive", keepAlive);
        }
        if (think != null) {
            body.set("think", think);
        }
        return body;
    }

    /** Ollama takes a call's arguments as a JSON object, where the SPI keeps the text the model wrote. */
    private static JsonNode arguments(ToolCall call) {
        try {
            JsonNode arguments = JsonBodies.JSON.readTree(call.arguments().isBlank() ? "{}" : call.arguments());
            if (arguments != null && arguments.isObject()) {
                return arguments;
            }
        } catch (JacksonException e) {
            // reported below
        }
        throw new InvalidRequestException("the arguments of tool call " + call.name() + " must be a JSON object for "
                + NAME, null);
    }

    /** Ollama's templates name a tool result by its tool ({@code tool_name}): the name of the call it answers. */
    private static @Nullable String toolName(List<ChatMessage> messages, String callId) {
        for (ChatMessage m : messages) {
            for (ToolCall c : m.toolCalls()) {
                if (c.id().equals(callId)) {
                    return c.name();
                }
            }
        }
        return null;
    }

    private static @Nullable JsonNode keepAlive(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.strip();
        if (SECONDS.matcher(text).matches()) {
            return DecimalNode.valueOf(new BigDecimal(text));
        }
        if (GO_DURATION.matcher(text).matches()) {
            return StringNode.valueOf(text);
        }
        throw new ConfigurationException("setting keep-alive must be a duration like 5m, 1h or 30s, seconds, or -1"
                + " but was '" + value + "'", null);
    }

    private static @Nullable JsonNode think(@Nullable String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> BooleanNode.TRUE;
            case "false" -> BooleanNode.FALSE;
            case "low", "medium", "high", "max" -> StringNode.valueOf(value.strip().toLowerCase(Locale.ROOT));
            default -> throw new ConfigurationException("setting think must be true, false, low, medium, high or"
                    + " max but was '" + value + "'", null);
        };
    }

    private static @Nullable String errorMessage(String body) {
        return JsonBodies.message(body, "error");
    }

    /** An {@code error} object in a 200 reply, or a line of it in a stream once the stream has begun, is an error. */
    private static void error(JsonNode root) {
        JsonNode error = root.get("error");
        if (error != null && !error.isNull()) {
            throw new UnavailableException(NAME + " failed while answering: " + (error.isString()
                    ? error.asString()
                    : error.toString()), null, null);
        }
    }

    private static Usage usage(JsonNode root) {
        return new Usage(Math.max(0, root.path("prompt_eval_count").asLong(0)), Math.max(0, root.path("eval_count")
                .asLong(0)));
    }

    /**
     * {@return the calls; one without an id (older servers) gets {@code call_<n>}, so its result can name it}
     *
     * @param calls the {@code tool_calls} of a message: complete calls, arguments as an object
     * @param before how many calls came before (in earlier pieces of a stream), to number calls without an id
     */
    private static List<ToolCall> toolCalls(@Nullable JsonNode calls, int before) {
        List<ToolCall> list = new ArrayList<>();
        if (calls != null) {
            for (JsonNode c : calls) {
                JsonNode fn = c.path("function");
                String name = fn.path("name").asString("");
                if (name.isBlank()) {
                    throw new UnavailableException("malformed reply from " + NAME + ": a tool call without a name",
                            null, null);
                }
                String id = c.path("id").asString("");
                JsonNode arguments = fn.path("arguments");
                list.add(new ToolCall(id.isBlank() ? "call_" + (before + list.size()) : id, name, arguments.isString()
                        ? arguments.asString()
                        : arguments.isObject() ? arguments.toString() : "{}"));
            }
        }
        return list;
    }

    /** Ollama says {@code stop} also when the model asks for tools; the calls tell. */
    static FinishReason finish(String reason, List<ToolCall> toolCalls) {
        return switch (reason) {
            case "stop", "" -> toolCalls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALL;
            case "length" -> FinishReason.LENGTH;
            default -> FinishReason.OTHER;
        };
    }

    @Override
    public void close() {
        http.client().close();
    }

    @Override
    public String toString() {
        return "OllamaClient[" + endpoint + ", key=" + (key == null ? "none" : "***") + "]";
    }
}
