package org.codeengine.examples.agents;

import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Replies of a scripted model in each provider's wire format (the bodies the real APIs send for a non-streamed
 * request), for {@link org.codeengine.plugin.testkit.ScenarioServer}.
 */
enum Wire {
    OPENAI("openai"), ANTHROPIC("anthropic"), GEMINI("gemini"), OLLAMA("ollama");

    static final JsonMapper JSON = JsonMapper.builder().build();

    /** A tool call the scripted model asks for. */
    record Call(String id, String name, String arguments) {}

    final String provider;

    Wire(String provider) {
        this.provider = provider;
    }

    static Call call(String id, String name, String arguments) {
        return new Call(id, name, arguments);
    }

    /** {@return a scenario: the replies in order, separated as the server wants} */
    static String scenario(String... replies) {
        return String.join("### next\n", replies);
    }

    /** {@return a reply that asks for the calls, using {@code in} prompt and {@code out} reply tokens} */
    String calls(int in, int out, Call... calls) {
        ObjectNode body = JSON.createObjectNode();
        switch (this) {
            case OPENAI -> {
                body.put("id", "chatcmpl-1").put("object", "chat.completion").put("created", 1764000000).put("model",
                        "test-model");
                ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
                ObjectNode message = choice.putObject("message").put("role", "assistant").putNull("content");
                ArrayNode list = message.putArray("tool_calls");
                for (Call c : calls) {
                    list.addObject().put("id", c.id()).put("type", "function").putObject("function").put("name", c
                            .name()).put("arguments", c.arguments());
                }
                choice.put("finish_reason", "tool_calls");
                body.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in
                        + out);
            }
            case ANTHROPIC -> {
                body.put("id", "msg_01").put("type", "message").put("role", "assistant").put("model", "test-model");
                ArrayNode content = body.putArray("content");
                content.addObject().put("type", "text").put("text", "Let me look.");
                for (Call c : calls) {
                    content.addObject().put("type", "tool_use").put("id", c.id()).put("name", c.name()).set("input",
                            object(c.arguments()));
                }
                body.put("stop_reason", "tool_use").putNull("stop_sequence");
                body.putObject("usage").put("input_tokens", in).put("output_tokens", out);
            }
            case GEMINI -> {
                ObjectNode candidate = body.putArray("candidates").addObject();
                ArrayNode parts = candidate.putObject("content").put("role", "model").putArray("parts");
                for (Call c : calls) {
                    parts.addObject().putObject("functionCall").put("name", c.name()).set("args", object(c
                            .arguments()));
                }
                candidate.put("finishReason", "STOP").put("index", 0);
                body.putObject("usageMetadata").put("promptTokenCount", in).put("candidatesTokenCount", out).put(
                        "totalTokenCount", in + out);
                body.put("modelVersion", "test-model").put("responseId", "r-1");
            }
            case OLLAMA -> {
                body.put("model", "test-model").put("created_at", "2026-11-24T10:00:00Z");
                ObjectNode message = body.putObject("message").put("role", "assistant").put("content", "");
                ArrayNode list = message.putArray("tool_calls");
                for (int i = 0; i < calls.length; i++) {
                    list.addObject().put("id", calls[i].id()).putObject("function").put("index", i).put("name",
                            calls[i].name()).set("arguments", object(calls[i].arguments()));
                }
                body.put("done", true).put("done_reason", "stop").put("total_duration", 1000).put(
                        "prompt_eval_count", in).put("eval_count", out);
            }
        }
        return http(body);
    }

    /** {@return a final answer} */
    String answer(String text, int in, int out) {
        ObjectNode body = JSON.createObjectNode();
        switch (this) {
            case OPENAI -> {
                body.put("id", "chatcmpl-2").put("object", "chat.completion").put("created", 1764000000).put("model",
                        "test-model");
                body.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject(
                        "message").put("role", "assistant").put("content", text);
                body.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in
                        + out);
            }
            case ANTHROPIC -> {
                body.put("id", "msg_02").put("type", "message").put("role", "assistant").put("model", "test-model");
                body.putArray("content").addObject().put("type", "text").put("text", text);
                body.put("stop_reason", "end_turn").putNull("stop_sequence");
                body.putObject("usage").put("input_tokens", in).put("output_tokens", out);
            }
            case GEMINI -> {
                ObjectNode candidate = body.putArray("candidates").addObject();
                candidate.putObject("content").put("role", "model").putArray("parts").addObject().put("text", text);
                candidate.put("finishReason", "STOP").put("index", 0);
                body.putObject("usageMetadata").put("promptTokenCount", in).put("candidatesTokenCount", out).put(
                        "totalTokenCount", in + out);
                body.put("modelVersion", "test-model").put("responseId", "r-2");
            }
            case OLLAMA -> {
                body.put("model", "test-model").put("created_at", "2026-11-24T10:00:00Z");
                body.putObject("message").put("role", "assistant").put("content", text);
                body.put("done", true).put("done_reason", "stop").put("total_duration", 1000).put(
                        "prompt_eval_count", in).put("eval_count", out);
            }
        }
        return http(body);
    }

    private static JsonNode object(String json) {
        return JSON.readTree(json);
    }

    private static String http(ObjectNode body) {
        return "HTTP/1.1 200 OK\ncontent-type: application/json\n\n" + body + "\n";
    }

    /** {@return the tool results a request sent back to the model, as text, whatever the wire} */
    static List<String> bodies(List<org.codeengine.plugin.testkit.ScenarioServer.Recorded> requests) {
        return requests.stream().map(org.codeengine.plugin.testkit.ScenarioServer.Recorded::body).toList();
    }
}
