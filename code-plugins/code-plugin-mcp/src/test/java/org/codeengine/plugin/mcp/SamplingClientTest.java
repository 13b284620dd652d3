package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.api.spi.ToolSpec;
import org.codeengine.plugin.mcp.internal.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** A chat request as {@code sampling/createMessage} with tools (SEP-1577), and the client's result as a reply. */
class SamplingClientTest {
    @Test
    void request_carriesSystemToolsAndOneUserMessageOfResultsPerTurn() {
        ObjectNode schema = Json.object().put("type", "object");
        ChatRequest request = new ChatRequest("client", List.of(new ChatMessage(ChatMessage.Role.SYSTEM,
                "You read."), new ChatMessage(ChatMessage.Role.USER, "Read both."),
                new ChatMessage(
                        ChatMessage.Role.ASSISTANT, "Reading.", List.of(new ToolCall("a", "files_read",
                                "{\"path\":\"x\"}"), new ToolCall("b", "files_read", "not json")),
                        null),
                ChatMessage.toolResult("a", "X"), ChatMessage.toolResult("b", "Y")), 0.2, 300, List.of("END"), null,
                List.of(new ToolSpec("files_read", "Reads a file.", schema)));

        ObjectNode params = SamplingClient.params(request);

        assertThat(params.path("systemPrompt").asString()).isEqualTo("You read.");
        assertThat(params.path("maxTokens").asInt()).isEqualTo(300);
        assertThat(params.path("stopSequences").get(0).asString()).isEqualTo("END");
        assertThat(params.path("tools").get(0).path("name").asString()).isEqualTo("files_read");
        assertThat(params.path("tools").get(0).path("inputSchema")).isEqualTo(schema);
        assertThat(params.path("toolChoice").path("mode").asString()).isEqualTo("auto");
        JsonNode messages = params.path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).path("content").path("text").asString()).isEqualTo("Read both.");
        JsonNode assistant = messages.get(1).path("content");
        assertThat(assistant.get(0).path("text").asString()).isEqualTo("Reading.");
        assertThat(assistant.get(1).path("type").asString()).isEqualTo("tool_use");
        assertThat(assistant.get(1).path("input").path("path").asString()).isEqualTo("x");
        assertThat(assistant.get(2).path("input").path("_raw").asString()).as("what the model wrote, kept")
                .isEqualTo("not json");
        JsonNode results = messages.get(2);
        assertThat(results.path("role").asString()).isEqualTo("user");
        assertThat(results.path("content")).extracting(c -> c.path("toolUseId").asString()).containsExactly("a",
                "b");
        assertThat(results.path("content").get(1).path("content").get(0).path("text").asString()).isEqualTo("Y");
    }

    @Test
    void result_withToolUseBlocks_isAToolCallReply_andTextIsAnAnswer() {
        ChatRequest request = new ChatRequest("client", List.of(new ChatMessage(ChatMessage.Role.USER, "Go.")), 0,
                100, List.of());
        ObjectNode calls = Json.object().put("role", "assistant").put("model", "claude-x").put("stopReason",
                "toolUse");
        calls.putArray("content").addObject().put("type", "tool_use").put("id", "u1").put("name", "files_list").set(
                "input", Json.object().put("path", "."));
        ChatResponse reply = SamplingClient.response(calls, request, 40, Duration.ZERO);
        assertThat(reply.finishReason()).isEqualTo(ChatResponse.FinishReason.TOOL_CALL);
        assertThat(reply.toolCalls()).containsExactly(new ToolCall("u1", "files_list", "{\"path\":\".\"}"));
        assertThat(reply.model()).isEqualTo("claude-x");
        assertThat(reply.usage().inputTokens()).isEqualTo(10);

        ObjectNode text = Json.object().put("role", "assistant").put("model", "claude-x").put("stopReason", "endTurn");
        text.putObject("content").put("type", "text").put("text", "Done.");
        ChatResponse answer = SamplingClient.response(text, request, 40, Duration.ZERO);
        assertThat(answer.text()).isEqualTo("Done.");
        assertThat(answer.toolCalls()).isEmpty();
        assertThat(answer.finishReason()).isEqualTo(ChatResponse.FinishReason.STOP);
    }
}
