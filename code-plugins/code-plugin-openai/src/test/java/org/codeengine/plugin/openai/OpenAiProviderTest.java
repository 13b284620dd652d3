package org.codeengine.plugin.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.ResponseFormat;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.testkit.ExpertProviderContract;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OpenAiProviderTest extends ExpertProviderContract {
    @Override
    protected ExpertProvider provider() {
        return new OpenAiProvider(Map.<String, String>of()::get);
    }

    @Override
    protected String keyOf(ScenarioServer.Recorded recorded) {
        return bearerToken(recorded);
    }

    @Override
    protected void checkRequest(ScenarioServer.Recorded recorded, boolean streamed) {
        JsonNode body = jsonPost(recorded, "/chat/completions");
        assertThat(body.get("messages").get(0).get("role").asString()).isEqualTo("system");
        assertThat(body.get("messages").get(1).get("content").asString()).isEqualTo("What is six times seven?");
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.2);
        assertThat(body.get("max_tokens").asInt()).isEqualTo(100);
        assertThat(body.get("stop").get(0).asString()).isEqualTo("\n\n");
        if (streamed) {
            assertThat(body.get("stream").asBoolean()).isTrue();
            assertThat(body.get("stream_options").get("include_usage").asBoolean()).isTrue();
        } else {
            assertThat(body.has("stream")).isFalse();
        }
    }

    @Override
    protected String plainBody(String text) {
        var root = JsonBodies.object();
        root.put("id", "chatcmpl-huge").put("object", "chat.completion").put("model", "test-model-2024");
        var choice = root.putArray("choices").addObject();
        choice.put("index", 0).put("finish_reason", "stop");
        choice.putObject("message").put("role", "assistant").put("content", text);
        root.putObject("usage").put("prompt_tokens", 12).put("completion_tokens", 500_000);
        return root.toString();
    }

    @Test
    void deepSeekReasoning_isKeptApartFromTheAnswer() {
        server.play(
                """
                        HTTP/1.1 200
                        content-type: text/event-stream

                        data: {"id":"1","object":"chat.completion.chunk","model":"deepseek-reasoner","choices":[{"index":0,"delta":{"role":"assistant","content":null,"reasoning_content":"6 times 7"},"finish_reason":null}]}

                        data: {"id":"1","object":"chat.completion.chunk","model":"deepseek-reasoner","choices":[{"index":0,"delta":{"content":"42","reasoning_content":null},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":9}}

                        data: [DONE]

                        """);
        try (ExpertClient client = provider().create(config(server.base(), null))) {
            StringBuilder thoughts = new StringBuilder();
            ChatResponse r = client.stream(request(), new org.codeengine.api.spi.StreamListener() {
                @Override
                public void onText(String delta) {}

                @Override
                public void onReasoning(String delta) {
                    thoughts.append(delta);
                }
            });
            assertThat(r.text()).isEqualTo("42");
            assertThat(r.reasoning()).isEqualTo("6 times 7");
            assertThat(thoughts).hasToString("6 times 7");
            assertThat(server.requests().getFirst().headers()).as("no key, no header").doesNotContainKey(
                    "authorization");
        }
    }

    @Test
    void jsonSchemaOutput_andMaxCompletionTokens_areSentAsTheApiWantsThem() throws Exception {
        server.play(scenario("plain"));
        ProviderConfig config = new ProviderConfig(server.base(), null, java.time.Duration.ofSeconds(5), Map.of(
                "max-tokens-field", "max_completion_tokens", "organization", "org-1"));
        try (ExpertClient client = provider().create(config)) {
            client.complete(new ChatRequest(MODEL, List.of(new ChatMessage(ChatMessage.Role.USER, "q")), 0, 50,
                    List.of(), ResponseFormat.jsonSchema("answer", JsonBodies.JSON.readTree(
                            "{\"type\":\"object\"}")),
                    List.of()));
        }
        ScenarioServer.Recorded sent = server.requests().getFirst();
        JsonNode body = JsonBodies.parse(sent.body(), "test");
        assertThat(body.get("max_completion_tokens").asInt()).isEqualTo(50);
        assertThat(body.at("/response_format/type").asString()).isEqualTo("json_schema");
        assertThat(body.at("/response_format/json_schema/name").asString()).isEqualTo("answer");
        assertThat(sent.headers()).containsEntry("openai-organization", "org-1");
    }
}
