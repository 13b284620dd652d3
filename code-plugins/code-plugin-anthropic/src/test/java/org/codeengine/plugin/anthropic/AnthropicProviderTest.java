package org.codeengine.plugin.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.RetriableException;
import org.codeengine.api.Secret;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatMessage.Role;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ChatResponse.FinishReason;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.ResponseFormat;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.api.spi.ToolSpec;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.testkit.ExpertProviderContract;
import org.codeengine.plugin.testkit.RecordingListener;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AnthropicProviderTest extends ExpertProviderContract {
    @Override
    protected ExpertProvider provider() {
        return new AnthropicProvider(Map.<String, String>of()::get);
    }

    @Override
    protected String keyOf(ScenarioServer.Recorded recorded) {
        return recorded.headers().get("x-api-key");
    }

    @Override
    protected void checkRequest(ScenarioServer.Recorded recorded, boolean streamed) {
        assertThat(recorded.method()).isEqualTo("POST");
        assertThat(recorded.uri().getPath()).isEqualTo("/v1/messages");
        assertThat(recorded.headers()).containsEntry("content-type", "application/json").containsEntry(
                "anthropic-version", "2023-06-01").doesNotContainKey("authorization");
        JsonNode body = JsonBodies.parse(recorded.body(), "test");
        assertThat(body.get("model").asString()).isEqualTo(MODEL);
        assertThat(body.get("system").asString()).isEqualTo("Answer briefly.");
        assertThat(body.get("messages")).hasSize(1);
        assertThat(body.at("/messages/0/role").asString()).isEqualTo("user");
        assertThat(body.at("/messages/0/content").asString()).isEqualTo("What is six times seven?");
        assertThat(body.get("max_tokens").asInt()).isEqualTo(100);
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.has("stop_sequences")).as("the API refuses whitespace-only stop sequences such as \\n\\n")
                .isFalse();
        assertThat(body.has("tools")).isFalse();
        if (streamed) {
            assertThat(body.get("stream").asBoolean()).isTrue();
        } else {
            assertThat(body.has("stream")).isFalse();
        }
    }

    @Override
    protected String plainBody(String text) {
        var root = JsonBodies.object();
        root.put("id", "msg_huge").put("type", "message").put("role", "assistant").put("model", "test-model-2024");
        root.putArray("content").addObject().put("type", "text").put("text", text);
        root.put("stop_reason", "end_turn").putNull("stop_sequence");
        root.putObject("usage").put("input_tokens", 12).put("output_tokens", 500_000);
        return root.toString();
    }

    private ExpertClient client(Map<String, String> settings) {
        return provider().create(new ProviderConfig(server.base(), Secret.of(KEY), Duration.ofSeconds(5), settings));
    }

    private JsonNode sentBody() {
        return JsonBodies.parse(server.requests().getFirst().body(), "test");
    }

    @Test
    void systemMessages_goToTheSystemField_andTheRolesAlternate() {
        server.play(scenario("plain"));
        try (ExpertClient client = client(Map.of())) {
            client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(Role.SYSTEM, "You are terse."),
                    new ChatMessage(Role.USER, "Hello."), new ChatMessage(Role.USER, "What is six times seven?"),
                    new ChatMessage(Role.ASSISTANT, "Forty"), new ChatMessage(Role.SYSTEM, "Use digits.")), 1.7, 50,
                    List.of("\n\n", "END", " ")));
        }
        JsonNode body = sentBody();
        assertThat(body.get("system").asString()).isEqualTo("You are terse.\n\nUse digits.");
        assertThat(body.get("messages")).hasSize(2);
        assertThat(body.at("/messages/0/role").asString()).isEqualTo("user");
        assertThat(body.at("/messages/0/content/0/text").asString()).isEqualTo("Hello.");
        assertThat(body.at("/messages/0/content/1/text").asString()).isEqualTo("What is six times seven?");
        assertThat(body.at("/messages/1/role").asString()).isEqualTo("assistant");
        assertThat(body.at("/messages/1/content").asString()).isEqualTo("Forty");
        assertThat(body.get("temperature").asDouble()).as("capped at Anthropic's highest").isEqualTo(1.0);
        assertThat(body.get("stop_sequences")).hasSize(1);
        assertThat(body.at("/stop_sequences/0").asString()).isEqualTo("END");
        assertThat(recordedText()).doesNotContain("\"role\":\"system\"");
    }

    private String recordedText() {
        return server.requests().getFirst().body();
    }

    @Test
    void toolCallsAndResults_areToolUseAndToolResultBlocks() throws Exception {
        server.play(scenario("plain"));
        ToolSpec weather = new ToolSpec("get_weather", "The weather in a city", JsonBodies.JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"));
        List<ChatMessage> conversation = List.of(new ChatMessage(Role.USER, "Weather in Paris and Rome?"),
                new ChatMessage(Role.ASSISTANT, "Looking.", List.of(new ToolCall("toolu_1", "get_weather",
                        "{\"city\": \"Paris\"}"), new ToolCall("toolu_2", "get_weather", "{\"city\":\"Rome\"}")),
                        null),
                ChatMessage.toolResult("toolu_1", "18 C, sunny"), ChatMessage.toolResult("toolu_2", "24 C"),
                new ChatMessage(Role.USER, "Which is warmer?"));
        try (ExpertClient client = client(Map.of())) {
            client.complete(new ChatRequest(MODEL, conversation, 0, 100, List.of(), null, List.of(weather)));
        }
        JsonNode body = sentBody();
        assertThat(body.at("/tools/0/name").asString()).isEqualTo("get_weather");
        assertThat(body.at("/tools/0/description").asString()).isEqualTo("The weather in a city");
        assertThat(body.at("/tools/0/input_schema/properties/city/type").asString()).isEqualTo("string");
        assertThat(body.has("tool_choice")).isFalse();
        assertThat(body.get("messages")).hasSize(3);
        JsonNode assistant = body.at("/messages/1");
        assertThat(assistant.get("role").asString()).isEqualTo("assistant");
        assertThat(assistant.at("/content/0/type").asString()).isEqualTo("text");
        assertThat(assistant.at("/content/1/type").asString()).isEqualTo("tool_use");
        assertThat(assistant.at("/content/1/id").asString()).isEqualTo("toolu_1");
        assertThat(assistant.at("/content/1/input/city").asString()).as("input is an object").isEqualTo("Paris");
        assertThat(assistant.at("/content/2/input/city").asString()).isEqualTo("Rome");
        JsonNode results = body.at("/messages/2");
        assertThat(results.get("role").asString()).isEqualTo("user");
        assertThat(results.at("/content/0/type").asString()).isEqualTo("tool_result");
        assertThat(results.at("/content/0/tool_use_id").asString()).isEqualTo("toolu_1");
        assertThat(results.at("/content/0/content").asString()).isEqualTo("18 C, sunny");
        assertThat(results.at("/content/1/tool_use_id").asString()).isEqualTo("toolu_2");
        assertThat(results.at("/content/2/type").asString()).as("text after the results").isEqualTo("text");
    }

    @Test
    void toolCallArgumentsThatAreNotAnObject_areRefusedBeforeSending() {
        try (ExpertClient client = client(Map.of())) {
            ChatRequest bad = new ChatRequest(MODEL, List.of(new ChatMessage(Role.USER, "q"), new ChatMessage(
                    Role.ASSISTANT, "", List.of(new ToolCall("toolu_1", "f", "[1, 2")), null),
                    ChatMessage
                            .toolResult("toolu_1", "r")),
                    0, 10, List.of());
            assertThatThrownBy(() -> client.complete(bad)).isInstanceOf(
                    org.codeengine.api.InvalidRequestException.class).hasMessageContaining("toolu_1");
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aStreamedToolCall_isAssembledFromItsInputJsonDeltas() {
        server.play(scenario("stream-tool-call"));
        RecordingListener calls = new RecordingListener();
        try (ExpertClient client = client(Map.of())) {
            ChatResponse r = client.stream(request(), calls);
            assertThat(r.text()).isEqualTo("Let me check.");
            assertThat(r.finishReason()).isEqualTo(FinishReason.TOOL_CALL);
            assertThat(r.usage().inputTokens()).isEqualTo(472);
            assertThat(r.usage().outputTokens()).isEqualTo(89);
            assertThat(r.toolCalls()).singleElement().satisfies(c -> {
                assertThat(c.id()).isEqualTo("toolu_01T1x1fJ34qAmk2tNTrN7Up6");
                assertThat(c.name()).isEqualTo("get_weather");
                assertThat(JsonBodies.parse(c.arguments(), "test").get("city").asString()).isEqualTo("Paris");
            });
            assertThat(calls.toolCalls()).isEqualTo(r.toolCalls());
        }
    }

    @Test
    void thinking_isAskedForWithTheBudget_andComesBackAsReasoning() {
        server.play(scenario("thinking"));
        try (ExpertClient client = client(Map.of("thinking-budget", "1024"))) {
            ChatResponse r = client.complete(request());
            assertThat(r.text()).isEqualTo("42");
            assertThat(r.reasoning()).isEqualTo("6 times 7 is 42.");
            assertThat(r.usage().inputTokens()).as("cache writes and reads count as input").isEqualTo(125);
        }
        JsonNode body = sentBody();
        assertThat(body.at("/thinking/type").asString()).isEqualTo("enabled");
        assertThat(body.at("/thinking/budget_tokens").asInt()).isEqualTo(1024);
        assertThat(body.get("max_tokens").asInt()).isEqualTo(100 + 1024);
        assertThat(body.has("temperature")).as("thinking allows no temperature").isFalse();
    }

    @Test
    void streamedThinking_goesToOnReasoning_notToTheText() {
        server.play(scenario("stream-thinking"));
        RecordingListener listener = new RecordingListener();
        try (ExpertClient client = client(Map.of("thinking-budget", "2048"))) {
            ChatResponse r = client.stream(request(), listener);
            assertThat(r.text()).isEqualTo("42");
            assertThat(r.reasoning()).isEqualTo("6 times 7");
            assertThat(r.usage().outputTokens()).isEqualTo(9);
        }
        assertThat(listener.reasoning()).isEqualTo("6 times 7");
        assertThat(listener.text()).isEqualTo("42");
    }

    @Test
    void jsonSchemaOutput_isAForcedTool_whoseInputIsTheText() throws Exception {
        server.play(scenario("json-schema"));
        JsonNode schema = JsonBodies.JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"value\":{\"type\":\"integer\"}},\"required\":[\"value\"]}");
        try (ExpertClient client = client(Map.of())) {
            ChatResponse r = client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(Role.USER, "6*7?")), 0,
                    50, List.of(), ResponseFormat.jsonSchema("answer", schema), List.of()));
            assertThat(JsonBodies.parse(r.text(), "test").get("value").asInt()).isEqualTo(42);
            assertThat(r.toolCalls()).isEmpty();
            assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        }
        JsonNode body = sentBody();
        assertThat(body.at("/tools/0/name").asString()).isEqualTo("answer");
        assertThat(body.at("/tools/0/input_schema")).isEqualTo(schema);
        assertThat(body.at("/tool_choice/type").asString()).isEqualTo("tool");
        assertThat(body.at("/tool_choice/name").asString()).isEqualTo("answer");
        assertThat(body.has("system")).isFalse();
    }

    @Test
    void jsonOutput_streams_asText_andASchemaThatIsNoObject_isWrappedAndUnwrapped() throws Exception {
        server.play(scenario("stream-json"));
        List<String> pieces = new ArrayList<>();
        try (ExpertClient client = client(Map.of())) {
            ChatResponse r = client.stream(new ChatRequest(MODEL, List.of(new ChatMessage(Role.USER, "JSON!")), 0,
                    50, List.of(), ResponseFormat.JSON, List.of()), pieces::add);
            assertThat(r.text()).isEqualTo("{\"a\": 1}");
            assertThat(r.toolCalls()).isEmpty();
        }
        assertThat(pieces).containsExactly("{\"a\": ", "1}");
        assertThat(sentBody().at("/tools/0/input_schema/type").asString()).isEqualTo("object");
        assertThat(sentBody().at("/tool_choice/name").asString()).isEqualTo(MessagesRequest.JSON_TOOL);

        server.play(scenario("json-wrapped"));
        ToolSpec other = new ToolSpec("lookup", "Looks up", JsonBodies.JSON.readTree("{\"type\":\"object\"}"));
        try (ExpertClient client = client(Map.of())) {
            ChatResponse r = client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(Role.USER, "primes")),
                    0, 50, List.of(), ResponseFormat.jsonSchema("primes", JsonBodies.JSON.readTree(
                            "{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}")),
                    List.of(other)));
            assertThat(r.text()).isEqualTo("[2,3,5]");
        }
        JsonNode body = sentBody();
        assertThat(body.at("/tools/1/input_schema/properties/value/type").asString()).isEqualTo("array");
        assertThat(body.at("/tool_choice/type").asString()).as("other tools may be called first").isEqualTo("any");
        assertThat(body.get("system").asString()).contains("primes");
    }

    @Test
    void anOverloadedErrorInsideAStream_isRetriable() {
        server.play(scenario("stream-error"));
        try (ExpertClient client = client(Map.of())) {
            assertThatThrownBy(() -> client.stream(request(), d -> {
            })).isInstanceOf(RetriableException.class).hasMessageContaining("overloaded_error");
        }
    }

    @Test
    void stopReasons_areNormalised() {
        assertThat(AnthropicClient.finish("end_turn", false)).isEqualTo(FinishReason.STOP);
        assertThat(AnthropicClient.finish("stop_sequence", false)).isEqualTo(FinishReason.STOP);
        assertThat(AnthropicClient.finish("max_tokens", false)).isEqualTo(FinishReason.LENGTH);
        assertThat(AnthropicClient.finish("model_context_window_exceeded", false)).isEqualTo(FinishReason.LENGTH);
        assertThat(AnthropicClient.finish("tool_use", true)).isEqualTo(FinishReason.TOOL_CALL);
        assertThat(AnthropicClient.finish("refusal", false)).isEqualTo(FinishReason.CONTENT_FILTER);
        assertThat(AnthropicClient.finish("pause_turn", false)).isEqualTo(FinishReason.OTHER);
        assertThat(AnthropicClient.status("overloaded_error")).isEqualTo(529);
        assertThat(AnthropicClient.status("api_error")).isEqualTo(500);
    }

    @Test
    void keyAndBaseUrl_comeFromTheEnvironment_andVersionAndBetaFromSettings() {
        server.play(scenario("plain"));
        ExpertProvider fromEnv = new AnthropicProvider(Map.of("ANTHROPIC_API_KEY", "sk-ant-env",
                "ANTHROPIC_BASE_URL", server.base() + "/")::get);
        try (ExpertClient client = fromEnv.create(new ProviderConfig(null, null, Duration.ofSeconds(5), Map.of(
                "anthropic-version", "2024-01-01", "anthropic-beta", "output-128k-2025-02-19")))) {
            assertThat(client.complete(request()).text()).isEqualTo("The answer is 42.");
            assertThat(client.toString()).doesNotContain("sk-ant-env");
        }
        ScenarioServer.Recorded sent = server.requests().getFirst();
        assertThat(sent.uri().getPath()).isEqualTo("/v1/messages");
        assertThat(sent.headers()).containsEntry("x-api-key", "sk-ant-env").containsEntry("anthropic-version",
                "2024-01-01").containsEntry("anthropic-beta", "output-128k-2025-02-19");
    }

    @Test
    void noKey_forAnthropicsOwnApi_isAConfigurationError() {
        ExpertProvider bare = new AnthropicProvider(Map.<String, String>of()::get);
        assertThatThrownBy(() -> bare.create(new ProviderConfig(null, null, Duration.ofSeconds(5), Map.of())))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("ANTHROPIC_API_KEY");
        server.play(scenario("plain"));
        try (ExpertClient gateway = bare.create(new ProviderConfig(server.base(), null, Duration.ofSeconds(5), Map
                .of()))) {
            gateway.complete(request());
        }
        assertThat(server.requests().getFirst().headers()).doesNotContainKey("x-api-key");
    }
}
