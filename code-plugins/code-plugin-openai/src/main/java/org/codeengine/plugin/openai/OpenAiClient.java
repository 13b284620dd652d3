package org.codeengine.plugin.openai;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.codeengine.api.CodeException;
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
import org.codeengine.plugin.support.BaseUrls;
import org.codeengine.plugin.support.HttpErrors;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.LineStream;
import org.codeengine.plugin.support.ProviderHttp;
import org.codeengine.plugin.support.Settings;
import org.codeengine.plugin.support.SseReader;
import org.codeengine.plugin.support.StreamedReply;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** One connection to an OpenAI-compatible server. Thread-safe. */
final class OpenAiClient implements ExpertClient {
    private static final String NAME = "openai";
    private final URI endpoint;
    private final @Nullable Secret key;
    private final Map<String, String> settings;
    private final ProviderHttp http;
    private final Duration idle;
    private final String maxTokensField;

    OpenAiClient(URI base, @Nullable Secret key, ProviderConfig config) {
        this.endpoint = BaseUrls.endpoint(base, "chat/completions");
        this.key = key;
        this.settings = config.settings();
        this.http = ProviderHttp.create(NAME, config);
        this.idle = Settings.duration(settings, Settings.STREAM_IDLE_TIMEOUT, Duration.ofSeconds(60));
        this.maxTokensField = settings.getOrDefault("max-tokens-field", "max_tokens");
    }

    @Override
    public ChatResponse complete(ChatRequest request) {
        long began = System.nanoTime();
        HttpResponse<byte[]> response = http.sendWhole(httpRequest(body(request, false)), OpenAiClient::errorMessage);
        JsonNode root = JsonBodies.read(response.body(), NAME);
        error(root);
        JsonNode choice = firstChoice(root);
        JsonNode message = choice.path("message");
        return new ChatResponse(text(message.get("content")), root.path("model").asString(request.model()), finish(
                choice.path("finish_reason").asString("")), usage(root.get("usage")),
                Duration.ofNanos(System
                        .nanoTime() - began),
                null, toolCalls(message.get("tool_calls")), reasoning(message),
                ProviderHttp.requestId(response.headers()), http.rateLimits(response));
    }

    @Override
    public ChatResponse stream(ChatRequest request, StreamListener listener) {
        StreamedReply reply = new StreamedReply(listener);
        HttpResponse<InputStream> response = http.send(httpRequest(body(request, true)), OpenAiClient::errorMessage);
        Map<Integer, String[]> calls = new TreeMap<>(); // index -> id, name, arguments
        String model = request.model();
        String finish = "";
        Usage usage = Usage.NONE;
        boolean done = false;
        try (SseReader events = new SseReader(new LineStream(response.body(), idle, NAME))) {
            for (SseReader.Event e = events.next(); e != null; e = events.next()) {
                if (e.data().strip().equals("[DONE]")) {
                    done = true;
                    break;
                }
                JsonNode chunk = JsonBodies.parse(e.data(), NAME);
                error(chunk);
                model = chunk.path("model").asString(model);
                if (chunk.hasNonNull("usage")) {
                    usage = usage(chunk.get("usage"));
                }
                for (JsonNode choice : chunk.path("choices")) {
                    JsonNode delta = choice.path("delta");
                    reply.reasoning(delta.path("reasoning_content").asString(""));
                    reply.text(delta.path("content").asString(""));
                    for (JsonNode call : delta.path("tool_calls")) {
                        String[] acc = calls.computeIfAbsent(call.path("index").asInt(0), i -> new String[]{"", "",
                                ""});
                        acc[0] = call.path("id").asString(acc[0]);
                        acc[1] = acc[1] + call.path("function").path("name").asString("");
                        acc[2] = acc[2] + call.path("function").path("arguments").asString("");
                    }
                    if (choice.hasNonNull("finish_reason")) {
                        finish = choice.get("finish_reason").asString();
                    }
                }
            }
        }
        if (!done) {
            throw new UnavailableException("the stream from " + NAME + " ended without its [DONE] event", null, null);
        }
        List<ToolCall> toolCalls = new ArrayList<>();
        for (String[] c : calls.values()) {
            toolCalls.add(new ToolCall(c[0], c[1], c[2]));
        }
        return reply.finish(model, finish(finish), usage, toolCalls, ProviderHttp.requestId(response.headers()),
                http.rateLimits(response));
    }

    private HttpRequest httpRequest(ObjectNode body) {
        HttpRequest.Builder b = http.postJson(endpoint, body, key);
        String organization = settings.get("organization");
        if (organization != null) {
            b.header("OpenAI-Organization", organization);
        }
        String project = settings.get("project");
        if (project != null) {
            b.header("OpenAI-Project", project);
        }
        return b.build();
    }

    ObjectNode body(ChatRequest request, boolean stream) {
        ObjectNode body = JsonBodies.object();
        body.put("model", request.model());
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage m : request.messages()) {
            ObjectNode message = messages.addObject();
            message.put("role", m.role().name().toLowerCase(java.util.Locale.ROOT));
            message.put("content", m.content());
            if (m.toolCallId() != null) {
                message.put("tool_call_id", m.toolCallId());
            }
            if (!m.toolCalls().isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (ToolCall c : m.toolCalls()) {
                    ObjectNode call = calls.addObject();
                    call.put("id", c.id());
                    call.put("type", "function");
                    call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
                }
            }
        }
        body.put("temperature", request.temperature());
        body.put(maxTokensField, request.maxTokens());
        if (!request.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            request.stop().forEach(stop::add);
        }
        ResponseFormat format = request.format();
        if (format != null && format.kind() != ResponseFormat.Kind.TEXT) {
            ObjectNode f = body.putObject("response_format");
            if (format.kind() == ResponseFormat.Kind.JSON) {
                f.put("type", "json_object");
            } else {
                f.put("type", "json_schema");
                ObjectNode schema = f.putObject("json_schema");
                schema.put("name", format.name());
                schema.set("schema", format.schema());
                schema.put("strict", true);
            }
        }
        JsonBodies.functionTools(body, request.tools());
        if (stream) {
            body.put("stream", true);
            body.putObject("stream_options").put("include_usage", true);
        }
        return body;
    }

    private static @Nullable String errorMessage(String body) {
        return JsonBodies.message(body, "error.message");
    }

    /** An error object in a 200 reply or inside a stream (OpenRouter, some compatible servers) is an error. */
    private static void error(JsonNode root) {
        JsonNode error = root.get("error");
        if (error == null || error.isNull()) {
            return;
        }
        String message = error.isString() ? error.asString() : error.path("message").asString("unknown error");
        int status = error.path("code").isIntegralNumber() ? error.path("code").asInt() : 500;
        CodeException mapped = HttpErrors.map(NAME, status >= 400 && status < 600 ? status : 500, message, null,
                null);
        throw mapped;
    }

    private static JsonNode firstChoice(JsonNode root) {
        JsonNode choices = root.get("choices");
        if (choices == null || !choices.isArray() || choices.isEmpty()) {
            throw new UnavailableException("malformed reply from " + NAME + ": no choices", null, null);
        }
        return choices.get(0);
    }

    private static String text(@Nullable JsonNode content) {
        return content == null || content.isNull() ? "" : content.asString();
    }

    private static @Nullable String reasoning(JsonNode message) {
        JsonNode r = message.get("reasoning_content");
        return r == null || r.isNull() || r.asString().isEmpty() ? null : r.asString();
    }

    private static Usage usage(@Nullable JsonNode usage) {
        if (usage == null || usage.isNull()) {
            return Usage.NONE;
        }
        return new Usage(Math.max(0, usage.path("prompt_tokens").asLong(0)), Math.max(0, usage.path(
                "completion_tokens").asLong(0)));
    }

    private static List<ToolCall> toolCalls(@Nullable JsonNode calls) {
        List<ToolCall> list = new ArrayList<>();
        if (calls != null) {
            for (JsonNode c : calls) {
                list.add(new ToolCall(c.path("id").asString(""), c.path("function").path("name").asString(), c.path(
                        "function").path("arguments").asString("")));
            }
        }
        return list;
    }

    static FinishReason finish(String reason) {
        return switch (reason) {
            case "stop", "" -> FinishReason.STOP;
            case "length" -> FinishReason.LENGTH;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALL;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    @Override
    public void close() {
        http.client().close();
    }

    @Override
    public String toString() {
        return "OpenAiClient[" + endpoint + ", key=" + (key == null ? "none" : "***") + "]";
    }
}
