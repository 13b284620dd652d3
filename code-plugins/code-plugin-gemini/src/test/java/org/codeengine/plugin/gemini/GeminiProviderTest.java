package org.codeengine.plugin.gemini;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.ResponseFormat;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.ProviderHttp;
import org.codeengine.plugin.testkit.ExpertProviderContract;
import org.codeengine.plugin.testkit.RecordingListener;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The contract, and what is Gemini's own. Gemini sends no request id header: the {@code responseId} of the body is
 * the request id, so the plain scenario carries {@code "responseId": "req-plain"}. It sends no rate-limit headers
 * either, so that part of the contract does not apply.
 */
class GeminiProviderTest extends ExpertProviderContract {
    private static final String HEADERS = "HTTP/1.1 200 OK\ncontent-type: application/json; charset=UTF-8\n\n";
    private static final String SSE = "HTTP/1.1 200 OK\ncontent-type: text/event-stream\n\n";

    @Override
    protected ExpertProvider provider() {
        return new GeminiProvider(Map.<String, String>of()::get);
    }

    @Override
    protected boolean sendsRateLimits() {
        return false;
    }

    @Override
    protected String keyOf(ScenarioServer.Recorded recorded) {
        return recorded.headers().get("x-goog-api-key");
    }

    @Override
    protected void checkRequest(ScenarioServer.Recorded recorded, boolean streamed) {
        assertThat(recorded.method()).isEqualTo("POST");
        if (streamed) {
            assertThat(recorded.uri().getPath()).isEqualTo("/models/test-model:streamGenerateContent");
            assertThat(recorded.uri().getQuery()).isEqualTo("alt=sse");
        } else {
            assertThat(recorded.uri().getPath()).isEqualTo("/models/test-model:generateContent");
            assertThat(recorded.uri().getQuery()).isNull();
        }
        assertThat(recorded.uri().toString()).as("the key never goes in the URL").doesNotContain(KEY);
        assertThat(recorded.headers()).containsEntry("content-type", "application/json").doesNotContainKey(
                "authorization");
        JsonNode body = JsonBodies.parse(recorded.body(), "test");
        assertThat(body.has("model")).isFalse();
        assertThat(body.at("/systemInstruction/parts/0/text").asString()).isEqualTo("Answer briefly.");
        assertThat(body.get("contents")).hasSize(1);
        assertThat(body.at("/contents/0/role").asString()).isEqualTo("user");
        assertThat(body.at("/contents/0/parts/0/text").asString()).isEqualTo("What is six times seven?");
        JsonNode config = body.get("generationConfig");
        assertThat(config.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(config.get("maxOutputTokens").asInt()).isEqualTo(100);
        assertThat(config.at("/stopSequences/0").asString()).isEqualTo("\n\n");
        assertThat(config.has("responseMimeType")).isFalse();
        assertThat(config.has("thinkingConfig")).isFalse();
        assertThat(body.has("tools")).isFalse();
    }

    @Override
    protected String plainBody(String text) {
        var root = JsonBodies.object();
        var candidate = root.putArray("candidates").addObject();
        candidate.putObject("content").put("role", "model").putArray("parts").addObject().put("text", text);
        candidate.put("finishReason", "STOP").put("index", 0);
        root.putObject("usageMetadata").put("promptTokenCount", 12).put("candidatesTokenCount", 500_000).put(
                "totalTokenCount", 500_012);
        root.put("modelVersion", "test-model-2024").put("responseId", "huge");
        return root.toString();
    }

    private ExpertClient client(Map<String, String> settings) {
        return provider().create(new ProviderConfig(server.base(), Secret.of(KEY), Duration.ofSeconds(5),
                settings));
    }

    private static String bodyOf(String reply) {
        return reply.substring(reply.indexOf("\n\n") + 2);
    }

    private static ChatRequest ask(List<ChatMessage> messages) {
        return new ChatRequest(MODEL, messages, 0, 100, List.of());
    }

    @Test
    void toolResults_goBackAsFunctionResponseParts_namedAfterTheirCalls() {
        server.play(scenario("plain"));
        List<ChatMessage> messages = List.of(new ChatMessage(ChatMessage.Role.USER, "Weather in Paris and Rome?"),
                new ChatMessage(ChatMessage.Role.ASSISTANT, "", List.of(new ToolCall("", "get_weather",
                        "{\"city\": \"Paris\"}"), new ToolCall("", "get_time", "{\"city\":\"Rome\"}")), null),
                ChatMessage.toolResult("", "{\"temperature\": 21, \"sky\": \"clear\"}"), ChatMessage.toolResult("",
                        "14:05"),
                new ChatMessage(ChatMessage.Role.ASSISTANT, "", List.of(new ToolCall("fc-7", "get_weather",
                        "{\"city\":\"Oslo\"}")), null),
                ChatMessage.toolResult("fc-7", "snow"));
        try (ExpertClient client = client(Map.of())) {
            client.complete(ask(messages));
        }
        JsonNode contents = JsonBodies.parse(server.requests().getFirst().body(), "test").get("contents");
        assertThat(contents).hasSize(5);
        JsonNode asked = contents.get(1);
        assertThat(asked.get("role").asString()).isEqualTo("model");
        assertThat(asked.get("parts")).hasSize(2);
        assertThat(asked.at("/parts/0/functionCall/name").asString()).isEqualTo("get_weather");
        assertThat(asked.at("/parts/0/functionCall/args/city").asString()).isEqualTo("Paris");
        assertThat(asked.at("/parts/0/functionCall").has("id")).isFalse();
        assertThat(asked.at("/parts/0/thoughtSignature").asString()).isEqualTo(GeminiClient.SKIP_SIGNATURE);
        assertThat(asked.at("/parts/1").has("thoughtSignature")).as("only the first of parallel calls").isFalse();
        JsonNode answered = contents.get(2);
        assertThat(answered.get("role").asString()).isEqualTo("user");
        assertThat(answered.get("parts")).as("parallel results in one turn").hasSize(2);
        assertThat(answered.at("/parts/0/functionResponse/name").asString()).isEqualTo("get_weather");
        assertThat(answered.at("/parts/0/functionResponse/response/temperature").asInt()).isEqualTo(21);
        assertThat(answered.at("/parts/1/functionResponse/name").asString()).isEqualTo("get_time");
        assertThat(answered.at("/parts/1/functionResponse/response/output").asString()).isEqualTo("14:05");
        assertThat(contents.at("/3/parts/0/functionCall/id").asString()).isEqualTo("fc-7");
        assertThat(contents.at("/4/parts/0/functionResponse/id").asString()).isEqualTo("fc-7");
        assertThat(contents.at("/4/parts/0/functionResponse/name").asString()).isEqualTo("get_weather");
        assertThat(contents.at("/4/parts/0/functionResponse/response/output").asString()).isEqualTo("snow");
    }

    @Test
    void aToolResultThatAnswersNoCall_isAnInvalidRequest_andNothingIsSent() {
        server.play(scenario("plain"));
        try (ExpertClient client = client(Map.of())) {
            assertThatThrownBy(() -> client.complete(ask(List.of(new ChatMessage(ChatMessage.Role.USER, "q"),
                    ChatMessage.toolResult("", "42"))))).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("function's name");
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void functionCalls_keepThePartsId_andArriveWhileStreaming() {
        server.play(SSE
                + """
                        data: {"candidates": [{"content": {"parts": [{"functionCall": {"id": "fc-1","name": "get_weather","args": {"city": "Paris"}}}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 30,"candidatesTokenCount": 5,"totalTokenCount": 35},"modelVersion": "test-model-2024","responseId": "r1"}

                        """);
        RecordingListener seen = new RecordingListener();
        try (ExpertClient client = client(Map.of())) {
            ChatResponse r = client.stream(request(), seen);
            assertThat(r.finishReason()).isEqualTo(ChatResponse.FinishReason.TOOL_CALL);
            assertThat(r.toolCalls()).singleElement().satisfies(c -> {
                assertThat(c.id()).isEqualTo("fc-1");
                assertThat(JsonBodies.parse(c.arguments(), "test").get("city").asString()).isEqualTo("Paris");
            });
            assertThat(seen.toolCalls()).isEqualTo(r.toolCalls());
            assertThat(r.requestId()).isEqualTo("r1");
        }
    }

    @Test
    void thoughtParts_areReasoning_apartFromTheAnswer_andCountAsOutput() {
        server.play(SSE
                + """
                        data: {"candidates": [{"content": {"parts": [{"text": "Six sevens","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 5,"totalTokenCount": 5},"modelVersion": "test-model-2024","responseId": "r2"}

                        data: {"candidates": [{"content": {"parts": [{"text": " make 42.","thought": true}],"role": "model"},"index": 0}],"usageMetadata": {"promptTokenCount": 5,"totalTokenCount": 5},"modelVersion": "test-model-2024","responseId": "r2"}

                        data: {"candidates": [{"content": {"parts": [{"text": "42","thoughtSignature": "Cs4BAVKh"}],"role": "model"},"finishReason": "STOP","index": 0}],"usageMetadata": {"promptTokenCount": 5,"candidatesTokenCount": 1,"totalTokenCount": 46,"thoughtsTokenCount": 40},"modelVersion": "test-model-2024","responseId": "r2"}

                        """);
        RecordingListener listener = new RecordingListener();
        try (ExpertClient client = client(Map.of("include-thoughts", "true"))) {
            ChatResponse r = client.stream(request(), listener);
            assertThat(r.text()).isEqualTo("42");
            assertThat(r.reasoning()).isEqualTo("Six sevens make 42.");
            assertThat(listener.reasoning()).isEqualTo("Six sevens make 42.");
            assertThat(listener.text()).isEqualTo("42");
            assertThat(r.usage().inputTokens()).isEqualTo(5);
            assertThat(r.usage().outputTokens()).as("thinking is billed as output").isEqualTo(41);
        }
        JsonNode body = JsonBodies.parse(server.requests().getFirst().body(), "test");
        assertThat(body.at("/generationConfig/thinkingConfig/includeThoughts").asBoolean()).isTrue();

        server.play(HEADERS
                + """
                        {"candidates": [{"content": {"parts": [{"text": "Hmm.","thought": true},{"text": "42"}],"role": "model"},"finishReason": "STOP","index": 0}],"modelVersion": "m"}
                        """);
        try (ExpertClient client = client(Map.of())) {
            ChatResponse r = client.complete(request());
            assertThat(r.text()).isEqualTo("42");
            assertThat(r.reasoning()).isEqualTo("Hmm.");
            assertThat(r.requestId()).isNull();
            assertThat(r.usage().totalTokens()).isZero();
        }
    }

    @Test
    void anInvalidKey_isAnAuthenticationFailure_whateverTheStatus() {
        String denied = """
                HTTP/1.1 403 Forbidden
                content-type: application/json; charset=UTF-8

                {
                  "error": {
                    "code": 403,
                    "message": "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
                    "status": "PERMISSION_DENIED"
                  }
                }
                """;
        try (ExpertClient client = client(Map.of())) {
            server.play(scenario("error-401"));
            assertThatThrownBy(() -> client.complete(request())).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("HTTP 400");
            server.play(denied);
            assertThatThrownBy(() -> client.complete(request())).isInstanceOf(AuthenticationException.class)
                    .hasMessageContaining("unregistered callers");
            server.play(denied.replace("403 Forbidden", "401 Unauthorized").replace("403", "401").replace(
                    "PERMISSION_DENIED", "UNAUTHENTICATED"));
            assertThatThrownBy(() -> client.complete(request())).isInstanceOf(AuthenticationException.class);
            assertThat(server.requests()).hasSize(1);
        }
    }

    @Test
    void googlesErrorDetails_areRead() throws Exception {
        ProviderHttp.ErrorBody quota = GeminiClient
                .errorBody(bodyOf(scenario("retry-after").split("(?m)^### next")[0]));
        assertThat(quota.retryAfter()).isEqualTo(Duration.ofMillis(300));
        assertThat(quota.mapAs()).isNull();
        assertThat(quota.message()).startsWith("You exceeded your current quota");

        ProviderHttp.ErrorBody key = GeminiClient.errorBody(bodyOf(scenario("error-401")));
        assertThat(key.mapAs()).isEqualTo(401);
        assertThat(key.retryAfter()).isNull();

        assertThat(GeminiClient.retryDelay(JsonBodies.JSON.readTree(
                "{\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"38s\"}]}")))
                .isEqualTo(Duration.ofSeconds(38));
        assertThat(GeminiClient.errorBody("[{\"error\":{\"code\":429,\"message\":\"in an array\"}}]").message())
                .isEqualTo("in an array");
    }

    @Test
    void aBlockedPrompt_isAnInvalidRequest_notRetried() {
        server.play(HEADERS
                + """
                        {
                          "promptFeedback": {
                            "blockReason": "SAFETY",
                            "safetyRatings": [
                              {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}
                            ]
                          },
                          "usageMetadata": {"promptTokenCount": 9, "totalTokenCount": 9},
                          "modelVersion": "test-model-2024",
                          "responseId": "r3"
                        }
                        """);
        try (ExpertClient client = client(Map.of())) {
            assertThatThrownBy(() -> client.complete(request())).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("blocked the prompt: SAFETY");
            assertThat(server.requests()).hasSize(1);
            server.play(SSE
                    + """
                            data: {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"},"usageMetadata": {"promptTokenCount": 9,"totalTokenCount": 9},"modelVersion": "test-model-2024","responseId": "r4"}

                            """);
            assertThatThrownBy(() -> client.stream(request(), d -> {
            })).isInstanceOf(InvalidRequestException.class).hasMessageContaining("PROHIBITED_CONTENT");
        }
    }

    @Test
    void finishReasons_areNormalised() {
        server.play(HEADERS
                + """
                        {"candidates": [{"content": {"parts": [{"text": "The ans"}],"role": "model"},"finishReason": "MAX_TOKENS","index": 0}],"modelVersion": "m"}
                        """);
        try (ExpertClient client = client(Map.of())) {
            assertThat(client.complete(request()).finishReason()).isEqualTo(ChatResponse.FinishReason.LENGTH);
        }
        server.play(HEADERS + """
                {"candidates": [{"finishReason": "SAFETY","index": 0}],"modelVersion": "m"}
                """);
        try (ExpertClient client = client(Map.of())) {
            ChatResponse r = client.complete(request());
            assertThat(r.finishReason()).isEqualTo(ChatResponse.FinishReason.CONTENT_FILTER);
            assertThat(r.text()).isEmpty();
        }
        assertThat(GeminiClient.finish("RECITATION", false)).isEqualTo(ChatResponse.FinishReason.CONTENT_FILTER);
        assertThat(GeminiClient.finish("PROHIBITED_CONTENT", false)).isEqualTo(
                ChatResponse.FinishReason.CONTENT_FILTER);
        assertThat(GeminiClient.finish("MALFORMED_FUNCTION_CALL", false)).isEqualTo(ChatResponse.FinishReason.OTHER);
        assertThat(GeminiClient.finish("STOP", true)).isEqualTo(ChatResponse.FinishReason.TOOL_CALL);
    }

    @Test
    void anErrorAsAnEvent_isAnErrorToo() {
        server.play(SSE
                + """
                        data: {"candidates": [{"content": {"parts": [{"text": "The"}],"role": "model"},"index": 0}],"modelVersion": "m"}

                        data: {"error": {"code": 429,"message": "Resource has been exhausted (e.g. check quota).","status": "RESOURCE_EXHAUSTED"}}

                        """);
        try (ExpertClient client = client(Map.of())) {
            assertThatThrownBy(() -> client.stream(request(), d -> {
            })).isInstanceOf(org.codeengine.api.RateLimitedException.class).hasMessageContaining(
                    "Resource has been exhausted");
        }
    }

    @Test
    void jsonOutput_isAskedWithAMimeTypeAndAJsonSchema() throws Exception {
        JsonNode schema = JsonBodies.JSON
                .readTree("{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}");
        server.play(scenario("plain"));
        try (ExpertClient client = client(Map.of())) {
            client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(ChatMessage.Role.USER, "q")), 0, 50,
                    List.of(), ResponseFormat.jsonSchema("answer", schema), List.of()));
        }
        JsonNode config = JsonBodies.parse(server.requests().getFirst().body(), "test").get("generationConfig");
        assertThat(config.get("responseMimeType").asString()).isEqualTo("application/json");
        assertThat(config.get("responseJsonSchema")).isEqualTo(schema);
        assertThat(config.has("stopSequences")).isFalse();

        server.play(scenario("plain"));
        try (ExpertClient client = client(Map.of("schema-field", "responseSchema"))) {
            client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(ChatMessage.Role.USER, "q")), 0, 50,
                    List.of(), ResponseFormat.JSON, List.of()));
            client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(ChatMessage.Role.USER, "q")), 0, 50,
                    List.of(), ResponseFormat.jsonSchema("answer", schema), List.of()));
        }
        JsonNode plainJson = JsonBodies.parse(server.requests().get(0).body(), "test").get("generationConfig");
        assertThat(plainJson.get("responseMimeType").asString()).isEqualTo("application/json");
        assertThat(plainJson.has("responseSchema")).isFalse();
        JsonNode withSchema = JsonBodies.parse(server.requests().get(1).body(), "test").get("generationConfig");
        assertThat(withSchema.get("responseSchema")).isEqualTo(schema);
    }

    @Test
    void keyAndBaseUrl_comeFromTheEnvironment_whenTheConfigurationHasNone() {
        server.play(scenario("plain"));
        ProviderConfig bare = new ProviderConfig(null, null, Duration.ofSeconds(5), Map.of());
        String base = server.base() + "/v1beta/";
        try (ExpertClient client = new GeminiProvider(Map.of("GOOGLE_API_KEY", "google-key", "GEMINI_BASE_URL",
                base)::get).create(bare)) {
            client.complete(request());
            assertThat(client.toString()).doesNotContain("google-key");
        }
        try (ExpertClient client = new GeminiProvider(Map.of("GEMINI_API_KEY", "gemini-key", "GOOGLE_API_KEY",
                "google-key", "GEMINI_BASE_URL", base)::get).create(new ProviderConfig(null, null, Duration
                        .ofSeconds(5), Map.of()))) {
            client.complete(new ChatRequest("tunedModels/mine", List.of(new ChatMessage(ChatMessage.Role.USER,
                    "q")), 0, 5, List.of()));
        }
        List<ScenarioServer.Recorded> sent = server.requests();
        assertThat(sent.get(0).headers()).containsEntry("x-goog-api-key", "google-key");
        assertThat(sent.get(0).uri().getPath()).isEqualTo("/v1beta/models/test-model:generateContent");
        assertThat(sent.get(1).headers()).containsEntry("x-goog-api-key", "gemini-key");
        assertThat(sent.get(1).uri().getPath()).isEqualTo("/v1beta/tunedModels/mine:generateContent");
    }

    @Test
    void aReplyWithNoCandidates_isMalformed() {
        server.play(HEADERS + "{\"usageMetadata\": {\"promptTokenCount\": 3}, \"modelVersion\": \"m\"}\n");
        try (ExpertClient client = client(Map.of("max-retries", "0"))) {
            assertThatThrownBy(() -> client.complete(request())).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("no candidates");
        }
    }

    @Test
    void theProvider_isFoundByServiceLoader() {
        assertThat(ServiceLoader.load(ExpertProvider.class).stream().map(p -> p.get().name())).contains("gemini");
    }
}
