package org.codeengine.plugin.ollama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.Secret;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.ResponseFormat;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.testkit.ExpertProviderContract;
import org.codeengine.plugin.testkit.RecordingListener;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OllamaProviderTest extends ExpertProviderContract {
    @Override
    protected ExpertProvider provider() {
        return new OllamaProvider(Map.<String, String>of()::get);
    }

    @Override
    protected String keyOf(ScenarioServer.Recorded recorded) {
        return bearerToken(recorded);
    }

    @Override
    protected void checkRequest(ScenarioServer.Recorded recorded, boolean streamed) {
        JsonNode body = jsonPost(recorded, "/api/chat");
        assertThat(body.get("stream").isBoolean()).as("stream is always sent: the server streams by default")
                .isTrue();
        assertThat(body.get("stream").asBoolean()).isEqualTo(streamed);
        assertThat(body.at("/messages/0/role").asString()).isEqualTo("system");
        assertThat(body.at("/messages/0/content").asString()).isEqualTo("Answer briefly.");
        assertThat(body.at("/messages/1/role").asString()).isEqualTo("user");
        assertThat(body.at("/messages/1/content").asString()).isEqualTo("What is six times seven?");
        assertThat(body.at("/options/temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.at("/options/num_predict").asInt()).isEqualTo(100);
        assertThat(body.at("/options/stop/0").asString()).isEqualTo("\n\n");
        assertThat(body.has("temperature")).as("sampling goes in options").isFalse();
        assertThat(body.has("format")).isFalse();
        assertThat(body.has("keep_alive")).isFalse();
        assertThat(body.has("think")).isFalse();
    }

    @Override
    protected String plainBody(String text) {
        var root = JsonBodies.object();
        root.put("model", "test-model-2024").put("created_at", "2025-10-27T09:14:03.688511Z");
        root.putObject("message").put("role", "assistant").put("content", text);
        root.put("done", true).put("done_reason", "stop").put("prompt_eval_count", 12).put("eval_count", 500_000);
        return root.toString();
    }

    @Override
    protected boolean sendsRequestId() {
        return false;
    }

    @Override
    protected boolean sendsRateLimits() {
        return false;
    }

    private ExpertClient client(Map<String, String> settings) {
        return provider().create(new ProviderConfig(server.base(), null, Duration.ofSeconds(5), settings));
    }

    private JsonNode sentBody() {
        return JsonBodies.parse(server.requests().getFirst().body(), "test");
    }

    @Test
    void ollamaHostWithoutScheme_isHttpOnThatHostAndPort() {
        server.play(scenario("plain"));
        String hostPort = "127.0.0.1:" + server.base().getPort();
        ExpertProvider provider = new OllamaProvider(Map.of("OLLAMA_HOST", hostPort)::get);
        try (ExpertClient client = provider.create(new ProviderConfig(null, null, Duration.ofSeconds(5), Map.of()))) {
            assertThat(client.complete(request()).text()).isEqualTo("The answer is 42.");
            assertThat(client.toString()).contains("http://" + hostPort + "/api/chat");
        }
        assertThat(server.requests()).singleElement().satisfies(r -> assertThat(r.uri().getPath()).isEqualTo(
                "/api/chat"));
    }

    @Test
    void ollamaHost_isReadAsTheOllamaCliReadsIt() {
        assertThat(OllamaProvider.host(null)).isEqualTo(URI.create("http://127.0.0.1:11434"));
        assertThat(OllamaProvider.host("  ")).isEqualTo(URI.create("http://127.0.0.1:11434"));
        assertThat(OllamaProvider.host("gpu-box")).isEqualTo(URI.create("http://gpu-box:11434"));
        assertThat(OllamaProvider.host("gpu-box:8080")).isEqualTo(URI.create("http://gpu-box:8080"));
        assertThat(OllamaProvider.host("0.0.0.0")).as("bind-all means this machine").isEqualTo(URI.create(
                "http://127.0.0.1:11434"));
        assertThat(OllamaProvider.host("[::]:11500")).isEqualTo(URI.create("http://[::1]:11500"));
        assertThat(OllamaProvider.host("https://llm.example.com")).isEqualTo(URI.create("https://llm.example.com"));
        assertThat(OllamaProvider.host("http://proxy:8000/ollama")).isEqualTo(URI.create(
                "http://proxy:8000/ollama"));
        assertThat(OllamaProvider.host("ollama.com")).isEqualTo(URI.create("https://ollama.com"));
        assertThatThrownBy(() -> OllamaProvider.host("http://")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("OLLAMA_HOST");
    }

    @Test
    void aBaseEndingInApi_isTheApiItself_andABaseWithAPath_keepsIt() {
        server.play(scenario("plain"));
        for (String base : List.of(server.base() + "/api", server.base() + "/ollama/")) {
            try (ExpertClient client = provider().create(new ProviderConfig(URI.create(base), null, Duration
                    .ofSeconds(5), Map.of()))) {
                client.complete(request());
            }
        }
        assertThat(server.requests()).extracting(r -> r.uri().getPath()).containsExactly("/api/chat",
                "/ollama/api/chat");
    }

    @Test
    void noKey_noAuthorizationHeader_andOllamaApiKey_isABearerToken() {
        server.play(scenario("plain"));
        try (ExpertClient client = client(Map.of())) {
            client.complete(request());
        }
        assertThat(server.requests().getFirst().headers()).doesNotContainKey("authorization");

        server.play(scenario("plain"));
        ExpertProvider withKey = new OllamaProvider(Map.of("OLLAMA_API_KEY", "ollama-key-1")::get);
        try (ExpertClient client = withKey.create(new ProviderConfig(server.base(), null, Duration.ofSeconds(5), Map
                .of()))) {
            client.complete(request());
            assertThat(client.toString()).doesNotContain("ollama-key-1");
        }
        assertThat(server.requests().getFirst().headers()).containsEntry("authorization", "Bearer ollama-key-1");
    }

    @Test
    void formatJson_andJsonSchema_goInFormat() throws Exception {
        server.play(scenario("plain"));
        try (ExpertClient client = client(Map.of())) {
            client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(ChatMessage.Role.USER, "q")), 0, 50, List
                    .of(), ResponseFormat.JSON, List.of()));
        }
        JsonNode body = sentBody();
        assertThat(body.get("format").isString()).isTrue();
        assertThat(body.get("format").asString()).isEqualTo("json");
        assertThat(body.at("/options").has("stop")).as("no stop sequences, no stop").isFalse();

        server.play(scenario("plain"));
        JsonNode schema = JsonBodies.JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"age\":{\"type\":\"integer\"}},\"required\":[\"age\"]}");
        try (ExpertClient client = client(Map.of())) {
            client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(ChatMessage.Role.USER, "q")), 0, 50, List
                    .of(), ResponseFormat.jsonSchema("person", schema), List.of()));
        }
        assertThat(sentBody().get("format")).isEqualTo(schema);

        server.play(scenario("plain"));
        try (ExpertClient client = client(Map.of())) {
            client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(ChatMessage.Role.USER, "q")), 0, 50, List
                    .of(), ResponseFormat.TEXT, List.of()));
        }
        assertThat(sentBody().has("format")).as("text is Ollama's default").isFalse();
    }

    @Test
    void thinking_isReasoning_whenComplete() {
        server.play(
                """
                        HTTP/1.1 200 OK
                        content-type: application/json; charset=utf-8

                        {"model":"qwen3:8b","created_at":"2025-10-27T09:14:03Z","message":{"role":"assistant","content":"42","thinking":"Six times seven is 42."},"done":true,"done_reason":"stop","prompt_eval_count":15,"eval_count":30}
                        """);
        try (ExpertClient client = client(Map.of("think", "true"))) {
            ChatResponse r = client.complete(request());
            assertThat(r.text()).isEqualTo("42");
            assertThat(r.reasoning()).isEqualTo("Six times seven is 42.");
            assertThat(r.model()).isEqualTo("qwen3:8b");
            assertThat(r.timeToFirstToken()).isNull();
        }
        assertThat(sentBody().get("think").isBoolean()).isTrue();
        assertThat(sentBody().get("think").asBoolean()).isTrue();
    }

    @Test
    void thinking_isReasoning_whenStreamed() {
        server.play(
                """
                        HTTP/1.1 200 OK
                        content-type: application/x-ndjson

                        {"model":"qwen3:8b","created_at":"2025-10-27T09:14:03.1Z","message":{"role":"assistant","content":"","thinking":"Six times"},"done":false}
                        #flush
                        {"model":"qwen3:8b","created_at":"2025-10-27T09:14:03.2Z","message":{"role":"assistant","content":"","thinking":" seven."},"done":false}
                        {"model":"qwen3:8b","created_at":"2025-10-27T09:14:03.3Z","message":{"role":"assistant","content":"42"},"done":false}
                        {"model":"qwen3:8b","created_at":"2025-10-27T09:14:03.4Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":15,"eval_count":30}
                        """);
        RecordingListener listener = new RecordingListener();
        try (ExpertClient client = client(Map.of("think", "high"))) {
            ChatResponse r = client.stream(request(), listener);
            assertThat(r.text()).isEqualTo("42");
            assertThat(r.reasoning()).isEqualTo("Six times seven.");
            assertThat(r.usage().outputTokens()).isEqualTo(30);
        }
        assertThat(listener.reasoning()).isEqualTo("Six times seven.");
        assertThat(listener.text()).isEqualTo("42");
        assertThat(sentBody().get("think").asString()).isEqualTo("high");
    }

    @Test
    void aStreamedToolCall_arrivesWhole_andEndsWithToolCall() {
        server.play(
                """
                        HTTP/1.1 200 OK
                        content-type: application/x-ndjson

                        {"model":"test-model-2024","created_at":"2025-07-07T20:22:19.184789Z","message":{"role":"assistant","content":"","tool_calls":[{"id":"call_a1","function":{"index":0,"name":"get_weather","arguments":{"city":"Tokyo"}}}]},"done":false}
                        {"model":"test-model-2024","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":169,"eval_count":15}
                        """);
        RecordingListener seen = new RecordingListener();
        try (ExpertClient client = client(Map.of())) {
            ChatResponse r = client.stream(request(), seen);
            assertThat(r.finishReason()).isEqualTo(ChatResponse.FinishReason.TOOL_CALL);
            assertThat(r.toolCalls()).containsExactly(new ToolCall("call_a1", "get_weather", "{\"city\":\"Tokyo\"}"));
        }
        assertThat(seen.toolCalls()).hasSize(1);
    }

    @Test
    void toolCallsAndResults_goBackAsOllamaTakesThem() {
        server.play(
                """
                        HTTP/1.1 200 OK
                        content-type: application/json; charset=utf-8

                        {"model":"test-model-2024","created_at":"2025-07-07T20:32:53Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Toronto"}}},{"function":{"name":"get_time","arguments":{}}}]},"done":true,"done_reason":"stop"}
                        """);
        List<ToolCall> calls;
        try (ExpertClient client = client(Map.of())) {
            calls = client.complete(request()).toolCalls();
        }
        assertThat(calls).extracting(ToolCall::id).as("older servers send no id: numbered").containsExactly(
                "call_0", "call_1");

        server.play(scenario("plain"));
        try (ExpertClient client = client(Map.of())) {
            client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(ChatMessage.Role.USER, "Weather?"),
                    new ChatMessage(ChatMessage.Role.ASSISTANT, "", calls, null), ChatMessage.toolResult("call_0",
                            "11 degrees celsius")),
                    0, 100, List.of()));
        }
        JsonNode messages = sentBody().get("messages");
        assertThat(messages.at("/1/tool_calls/0/id").asString()).isEqualTo("call_0");
        assertThat(messages.at("/1/tool_calls/0/function/name").asString()).isEqualTo("get_weather");
        assertThat(messages.at("/1/tool_calls/0/function/arguments/city").asString()).as("an object, not text")
                .isEqualTo("Toronto");
        assertThat(messages.at("/2/role").asString()).isEqualTo("tool");
        assertThat(messages.at("/2/content").asString()).isEqualTo("11 degrees celsius");
        assertThat(messages.at("/2/tool_call_id").asString()).isEqualTo("call_0");
        assertThat(messages.at("/2/tool_name").asString()).isEqualTo("get_weather");
    }

    @Test
    void lengthAndOtherDoneReasons_areMapped() {
        assertThat(OllamaClient.finish("length", List.of())).isEqualTo(ChatResponse.FinishReason.LENGTH);
        assertThat(OllamaClient.finish("stop", List.of())).isEqualTo(ChatResponse.FinishReason.STOP);
        assertThat(OllamaClient.finish("unload", List.of())).isEqualTo(ChatResponse.FinishReason.OTHER);
    }

    @Test
    void keepAlive_isSentAsOllamaParsesIt_andBadSettingsAreRefused() {
        server.play(scenario("plain"));
        try (ExpertClient client = client(Map.of("keep-alive", "10m"))) {
            client.complete(request());
        }
        assertThat(sentBody().get("keep_alive").asString()).isEqualTo("10m");

        server.play(scenario("plain"));
        try (ExpertClient client = client(Map.of("keep-alive", "-1"))) {
            client.complete(request());
        }
        assertThat(sentBody().get("keep_alive").isNumber()).as("seconds go as a number").isTrue();
        assertThat(sentBody().get("keep_alive").asInt()).isEqualTo(-1);

        assertThatThrownBy(() -> client(Map.of("keep-alive", "ten minutes"))).isInstanceOf(
                ConfigurationException.class).hasMessageContaining("keep-alive");
        assertThatThrownBy(() -> client(Map.of("think", "very"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("think");
    }

    @Test
    void theKeyFromTheConfiguration_winsOverTheEnvironment() {
        server.play(scenario("plain"));
        ExpertProvider provider = new OllamaProvider(Map.of("OLLAMA_API_KEY", "from-env")::get);
        try (ExpertClient client = provider.create(new ProviderConfig(server.base(), Secret.of("from-config"),
                Duration.ofSeconds(5), Map.of()))) {
            client.complete(request());
        }
        assertThat(keyOf(server.requests().getFirst())).isEqualTo("from-config");
    }
}
