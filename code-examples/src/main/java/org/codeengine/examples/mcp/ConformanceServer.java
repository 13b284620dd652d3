package org.codeengine.examples.mcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.codeengine.plugin.mcp.Completer;
import org.codeengine.plugin.mcp.McpContent;
import org.codeengine.plugin.mcp.McpException;
import org.codeengine.plugin.mcp.McpHttpServer;
import org.codeengine.plugin.mcp.McpPrompt;
import org.codeengine.plugin.mcp.McpRequestContext.InputRequest;
import org.codeengine.plugin.mcp.McpResource;
import org.codeengine.plugin.mcp.McpResourceTemplate;
import org.codeengine.plugin.mcp.McpServer;
import org.codeengine.plugin.mcp.McpTool;
import org.codeengine.plugin.mcp.McpToolResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server the MCP conformance suite tests: every tool, resource and prompt its server scenarios call, built only on
 * the public {@link McpServer} API. {@code ConformanceServer PORT} serves {@code http://127.0.0.1:PORT/mcp} until
 * killed; {@code ConformanceServer --stdio} serves stdio.
 */
public final class ConformanceServer {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Calls of {@code code_slow} that stopped because the client cancelled them (read by {@code code_cancelled}). */
    private static final AtomicInteger CANCELLED = new AtomicInteger();
    /** A 1x1 red PNG. */
    static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==");

    private ConformanceServer() {}

    public static void main(String[] args) throws InterruptedException {
        McpServer server = build();
        if (args.length == 1 && args[0].equals("--stdio")) {
            server.serveStdio(System.in, System.out);
            return;
        }
        if (args.length != 1) {
            System.err.println("usage: ConformanceServer PORT | --stdio");
            System.exit(2);
        }
        McpHttpServer http = server.startHttp(McpHttpServer.Options.loopback(Integer.parseInt(args[0])));
        System.err.println("MCP conformance server on " + http.endpoint());
        new CountDownLatch(1).await();
    }

    /** {@return the fixture server} */
    public static McpServer build() {
        McpServer.Builder b = McpServer.builder().info("code-conformance-server", "0.1.0");
        ObjectNode none = schema("{\"type\":\"object\",\"properties\":{}}");
        b.tool(McpTool.of("test_simple_text", "Returns simple text", none, (a, c) -> McpToolResult.text(
                "This is a simple text response for testing.")));
        b.tool(McpTool.of("test_image_content", "Returns an image", none, (a, c) -> new McpToolResult(List.of(
                McpContent.image(PNG, "image/png")), null, false)));
        b.tool(McpTool.of("test_audio_content", "Returns audio", none, (a, c) -> new McpToolResult(List.of(
                McpContent.audio(wav(), "audio/wav")), null, false)));
        b.tool(McpTool.of("test_embedded_resource", "Returns an embedded resource", none, (a,
                c) -> new McpToolResult(List.of(McpContent.embedded(McpContent.textResource("test://embedded-resource",
                        "text/plain", "This is an embedded resource content."))), null, false)));
        b.tool(McpTool.of("test_multiple_content_types", "Returns text, an image and a resource", none, (a,
                c) -> new McpToolResult(List.of(McpContent.text("Multiple content types test:"), McpContent.image(PNG,
                        "image/png"),
                        McpContent.embedded(McpContent.textResource("test://mixed-content-resource",
                                "application/json", "{\"test\":\"data\",\"value\":123}"))),
                        null, false)));
        b.tool(McpTool.of("test_tool_with_logging", "Logs three messages while it runs", none, (a, c) -> {
            c.log("info", JSON.getNodeFactory().stringNode("Tool execution started"));
            Thread.sleep(50);
            c.log("info", JSON.getNodeFactory().stringNode("Tool processing data"));
            Thread.sleep(50);
            c.log("info", JSON.getNodeFactory().stringNode("Tool execution completed"));
            return McpToolResult.text("Tool with logging executed successfully");
        }));
        b.tool(McpTool.of("test_error_handling", "Always fails", none, (a, c) -> {
            throw new IllegalStateException("This tool intentionally returns an error for testing");
        }));
        // not in the suite: a long call that reports progress every 50 ms until it is cancelled, and a count of the
        // calls that stopped that way, so a test in another process can see that cancellation reached the handler
        b.tool(McpTool.of("code_slow", "Runs for up to 30 s, reporting progress, until cancelled", none, (a, c) -> {
            try {
                for (int p = 0; p < 600 && !c.cancelled(); p++) {
                    c.progress(p, 600, null);
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (c.cancelled() || Thread.currentThread().isInterrupted()) {
                CANCELLED.incrementAndGet();
            }
            return McpToolResult.text("slow call ended");
        }));
        b.tool(McpTool.of("code_cancelled", "How many code_slow calls were cancelled", none, (a,
                c) -> McpToolResult.text(Integer.toString(CANCELLED.get()))));
        b.tool(McpTool.of("test_tool_with_progress", "Reports progress", none, (a, c) -> {
            for (int p = 0; p <= 100; p += 50) {
                c.progress(p, 100, "step " + p);
                if (p < 100) {
                    Thread.sleep(50);
                }
            }
            return McpToolResult.text("Tool with progress executed successfully");
        }));
        b.tool(McpTool.of("test_sampling", "Asks the client's model", schema(
                "{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\"}},\"required\":[\"prompt\"]}"),
                (
                        a, c) -> {
                    ObjectNode params = JSON.createObjectNode().put("maxTokens", 100);
                    ObjectNode message = params.putArray("messages").addObject().put("role", "user");
                    message.set("content", McpContent.text(a.path("prompt").asString()));
                    JsonNode result = c.sample(params);
                    return McpToolResult.text("LLM response: " + result.path("content").path("text").asString(""));
                }));
        b.tool(McpTool.of("test_elicitation", "Asks the client's user", schema(
                "{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},\"required\":[\"message\"]}"),
                (a, c) -> {
                    JsonNode result = c.elicit(a.path("message").asString(), schema(
                            "{\"type\":\"object\",\"properties\":{\"username\":{\"type\":\"string\",\"description\":"
                                    + "\"User's response\"},\"email\":{\"type\":\"string\",\"description\":"
                                    + "\"User's email address\"}},\"required\":[\"username\",\"email\"]}"));
                    return McpToolResult.text("User response: action=" + result.path("action").asString("")
                            + ", content=" + result.path("content"));
                }));
        b.tool(McpTool.of("test_elicitation_sep1034_defaults", "Elicits with defaults", none, (a, c) -> {
            JsonNode result = c.elicit("Please review and update the form fields with defaults", schema(
                    "{\"type\":\"object\",\"properties\":{"
                            + "\"name\":{\"type\":\"string\",\"description\":\"User name\",\"default\":\"John Doe\"},"
                            + "\"age\":{\"type\":\"integer\",\"description\":\"User age\",\"default\":30},"
                            + "\"score\":{\"type\":\"number\",\"description\":\"User score\",\"default\":95.5},"
                            + "\"status\":{\"type\":\"string\",\"description\":\"User status\","
                            + "\"enum\":[\"active\",\"inactive\",\"pending\"],\"default\":\"active\"},"
                            + "\"verified\":{\"type\":\"boolean\",\"description\":\"Verified\",\"default\":true}}}"));
            return elicited(result);
        }));
        b.tool(McpTool.of("test_elicitation_sep1330_enums", "Elicits with every enum form", none, (a, c) -> {
            JsonNode result = c.elicit("Please select options from the enum fields", schema(
                    "{\"type\":\"object\",\"properties\":{"
                            + "\"untitledSingle\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]},"
                            + "\"titledSingle\":{\"type\":\"string\",\"oneOf\":[{\"const\":\"value1\",\"title\":"
                            + "\"First Option\"},{\"const\":\"value2\",\"title\":\"Second Option\"},{\"const\":"
                            + "\"value3\",\"title\":\"Third Option\"}]},"
                            + "\"legacyEnum\":{\"type\":\"string\",\"enum\":[\"opt1\",\"opt2\",\"opt3\"],"
                            + "\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
                            + "\"untitledMulti\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":"
                            + "[\"option1\",\"option2\",\"option3\"]}},"
                            + "\"titledMulti\":{\"type\":\"array\",\"items\":{\"anyOf\":[{\"const\":\"value1\","
                            + "\"title\":\"First Choice\"},{\"const\":\"value2\",\"title\":\"Second Choice\"},"
                            + "{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}}}"));
            return elicited(result);
        }));
        b.tool(McpTool.of("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features", schema(
                "{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\",\"$defs\":"
                        + "{\"address\":{\"$anchor\":\"addressDef\",\"type\":\"object\",\"properties\":{\"street\":"
                        + "{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},\"properties\":{\"name\":{\"type\":"
                        + "\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"},\"contactMethod\":{\"type\":"
                        + "\"string\",\"enum\":[\"phone\",\"email\"]},\"phone\":{\"type\":\"string\"},\"email\":"
                        + "{\"type\":\"string\"}},\"allOf\":[{\"anyOf\":[{\"required\":[\"phone\"]},{\"required\":"
                        + "[\"email\"]}]}],\"if\":{\"properties\":{\"contactMethod\":{\"const\":\"phone\"}},"
                        + "\"required\":[\"contactMethod\"]},\"then\":{\"required\":[\"phone\"]},\"else\":"
                        + "{\"required\":[\"email\"]},\"additionalProperties\":false}"),
                (a, c) -> McpToolResult.text(
                        "Received: " + a)));
        b.tool(McpTool.of("test_reconnection", "Closes its SSE stream mid-call; the client resumes", none, (a, c) -> {
            c.closeStream();
            return McpToolResult.text("Reconnection test completed successfully");
        }));
        stateless(b);
        tasks(b);
        b.skills(skills());
        resources(b);
        prompts(b);
        return b.build();
    }

    /** The tools and the prompt the 2026-07-28 scenarios call: multi-round input, headers, capabilities, logging. */
    private static void stateless(McpServer.Builder b) {
        ObjectNode none = schema("{\"type\":\"object\",\"properties\":{}}");
        b.tool(McpTool.of("test_input_required_result_elicitation", "Asks the user's name, then greets", none, (a,
                c) -> {
            JsonNode answer = c.inputs(Map.of("user_name", elicitName("What is your name?"))).get("user_name");
            return McpToolResult.text("Hello, " + answer.path("content").path("name").asString("stranger"));
        }));
        b.tool(McpTool.of("test_input_required_result_sampling", "Asks the client's model a question", none, (a,
                c) -> {
            JsonNode answer = c.inputs(Map.of("capital_question", sampling("What is the capital of France?", 100)))
                    .get("capital_question");
            return McpToolResult.text("LLM response: " + answer.path("content").path("text").asString(""));
        }));
        b.tool(McpTool.of("test_input_required_result_list_roots", "Lists the client's roots", none, (a, c) -> {
            JsonNode answer = c.inputs(Map.of("client_roots", roots())).get("client_roots");
            return McpToolResult.text("Client roots: " + answer.path("roots"));
        }));
        b.tool(McpTool.of("test_input_required_result_request_state", "Asks for a confirmation", none, (a, c) -> {
            JsonNode answer = c.inputs(Map.of("confirm", new InputRequest("elicitation/create", schema(
                    "{\"message\":\"Please confirm\",\"requestedSchema\":{\"type\":\"object\",\"properties\":"
                            + "{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}}"))))
                    .get("confirm");
            return McpToolResult.text("state-ok: confirmed=" + answer.path("content").path("ok").asBoolean(false));
        }));
        b.tool(McpTool.of("test_input_required_result_tampered_state", "Asks for a confirmation", none, (a, c) -> {
            c.inputs(Map.of("confirm", elicitName("Please confirm your name")));
            return McpToolResult.text("state-ok");
        }));
        b.tool(McpTool.of("test_input_required_result_multiple_inputs", "Asks three questions at once", none, (a,
                c) -> {
            Map<String, InputRequest> questions = new LinkedHashMap<>();
            questions.put("user_name", elicitName("What is your name?"));
            questions.put("greeting", sampling("Generate a greeting", 50));
            questions.put("client_roots", roots());
            Map<String, JsonNode> answers = c.inputs(questions);
            return McpToolResult.text("name=" + answers.get("user_name").path("content").path("name").asString("")
                    + ", greeting=" + answers.get("greeting").path("content").path("text").asString("") + ", roots="
                    + answers.get("client_roots").path("roots").size());
        }));
        b.tool(McpTool.of("test_input_required_result_multi_round", "Asks two questions, one after the other", none, (
                a, c) -> {
            JsonNode name = c.inputs(Map.of("step1", elicitName("Step 1: What is your name?"))).get("step1");
            JsonNode color = c.inputs(Map.of("step2", new InputRequest("elicitation/create", schema(
                    "{\"message\":\"Step 2: What is your favorite color?\",\"requestedSchema\":{\"type\":"
                            + "\"object\",\"properties\":{\"color\":{\"type\":\"string\"}},\"required\":"
                            + "[\"color\"]}}"))))
                    .get("step2");
            return McpToolResult.text(name.path("content").path("name").asString("") + " likes " + color.path(
                    "content").path("color").asString(""));
        }));
        b.tool(McpTool.of("test_input_required_result_capabilities", "Asks only what the client can answer", none, (a,
                c) -> {
            Map<String, InputRequest> questions = new LinkedHashMap<>();
            if (c.clientCapabilities().has("elicitation")) {
                questions.put("user_name", elicitName("What is your name?"));
            }
            if (c.clientCapabilities().has("sampling")) {
                questions.put("greeting", sampling("Generate a greeting", 50));
            }
            if (c.clientCapabilities().has("roots")) {
                questions.put("client_roots", roots());
            }
            return McpToolResult.text("answered " + c.inputs(questions).keySet());
        }));
        b.tool(McpTool.of("test_missing_capability", "Needs the client's sampling capability", none, (a, c) -> {
            c.sample(sampling("Say hello", 10).params());
            return McpToolResult.text("sampled");
        }));
        b.tool(McpTool.of("test_streaming_elicitation", "Elicits while it runs", none, (a, c) -> elicited(c.elicit(
                "What is your name?", schema("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                        + "\"string\"}}}")))));
        b.tool(McpTool.of("test_logging_tool", "Logs a message at each level it may", none, (a, c) -> {
            c.log("info", JSON.getNodeFactory().stringNode("an info message"));
            c.log("error", JSON.getNodeFactory().stringNode("an error message"));
            return McpToolResult.text("logged");
        }));
        b.tool(McpTool.of("test_header_param", "Echoes a region sent in the Mcp-Param-Region header too", schema(
                "{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\",\"x-mcp-header\":"
                        + "\"Region\"}},\"required\":[\"region\"]}"),
                (a, c) -> McpToolResult.text("region "
                        + a.path("region").asString(""))));
        b.prompt(new McpPrompt("test_input_required_result_prompt", null, "A prompt that asks the user for context",
                List.of(), (args, c) -> {
                    JsonNode answer = c.inputs(Map.of("user_context", new InputRequest("elicitation/create", schema(
                            "{\"message\":\"What context should the prompt use?\",\"requestedSchema\":{\"type\":"
                                    + "\"object\",\"properties\":{\"context\":{\"type\":\"string\"}},"
                                    + "\"required\":[\"context\"]}}"))))
                            .get("user_context");
                    ObjectNode message = JSON.createObjectNode().put("role", "user");
                    message.set("content", McpContent.text("Use this context: " + answer.path("content").path(
                            "context").asString("")));
                    return List.of(message);
                }, Map.of()));
    }

    /** The tools the tasks scenarios (SEP-2663) call: each but {@code greet} turns its call into a task. */
    private static void tasks(McpServer.Builder b) {
        ObjectNode none = schema("{\"type\":\"object\",\"properties\":{}}");
        b.tool(McpTool.of("greet", "Greets by name, at once", schema("{\"type\":\"object\",\"properties\":{\"name\":"
                + "{\"type\":\"string\"}},\"required\":[\"name\"]}"),
                (a, c) -> McpToolResult.text("Hello, " + a.path(
                        "name").asString() + "!")));
        b.tool(McpTool.of("slow_compute", "Works for the given seconds, as a task", schema("{\"type\":\"object\","
                + "\"properties\":{\"seconds\":{\"type\":\"number\",\"minimum\":0},\"label\":{\"type\":\"string\"}}}"),
                (a, c) -> {
                    c.runAsTask();
                    Thread.sleep((long) (a.path("seconds").asDouble(0) * 1000));
                    return McpToolResult.text("computed " + a.path("label").asString(""));
                }).withTaskSupport(McpTool.TaskSupport.OPTIONAL));
        b.tool(McpTool.of("failing_job", "Fails after a second, as a task only", none, (a, c) -> {
            c.runAsTask();
            Thread.sleep(1000);
            return McpToolResult.error("the job failed");
        }).withTaskSupport(McpTool.TaskSupport.REQUIRED));
        b.tool(McpTool.of("protocol_error_job", "Ends in a protocol error, as a task", none, (a, c) -> {
            c.runAsTask();
            Thread.sleep(200);
            throw new McpException(McpException.INTERNAL_ERROR, "the job broke down", null);
        }).withTaskSupport(McpTool.TaskSupport.OPTIONAL));
        b.tool(McpTool.of("confirm_delete", "Asks the user to confirm, as a task", schema("{\"type\":\"object\","
                + "\"properties\":{\"filename\":{\"type\":\"string\"}}}"), (a, c) -> {
                    c.runAsTask();
                    JsonNode answer = c.inputs(Map.of("confirm", confirm("Delete " + a.path("filename").asString(
                            "") + "?"))).get("confirm");
                    boolean yes = answer.path("content").path("confirm").asBoolean(false);
                    return McpToolResult.text(yes ? "deleted" : "kept");
                }).withTaskSupport(McpTool.TaskSupport.OPTIONAL));
        b.tool(McpTool.of("multi_input", "Asks two questions at once, as a task", none, (a, c) -> {
            c.runAsTask();
            Map<String, InputRequest> questions = new LinkedHashMap<>();
            questions.put("first", confirm("First question"));
            questions.put("second", confirm("Second question"));
            return McpToolResult.text("answered " + c.inputs(questions).size());
        }).withTaskSupport(McpTool.TaskSupport.OPTIONAL));
        b.tool(McpTool.of("test_tool_with_task", "Asks the user's name, then greets as a task", none, (a, c) -> {
            JsonNode answer = c.inputs(Map.of("user_name", elicitName("What is your name?"))).get("user_name");
            c.runAsTask();
            return McpToolResult.text("Hello, " + answer.path("content").path("name").asString("stranger"));
        }).withTaskSupport(McpTool.TaskSupport.REQUIRED));
    }

    /**
     * {@return a folder of two skills for the skills scenarios (SEP-2640), written to a temporary folder that is
     *         removed when the process exits: {@code code-review} with a file in a subfolder, and {@code release-notes}}
     */
    private static Path skills() {
        try {
            Path root = Files.createTempDirectory("code-conformance-skills");
            Map<String, String> files = new LinkedHashMap<>();
            files.put("code-review/SKILL.md", "---\nname: code-review\ndescription: Reviews a change against the "
                    + "team's checklist\nlicense: Apache-2.0\nmetadata:\n  author: code\n  version: \"1.0\"\n---\n\n"
                    + "# Code review\n\nRead references/checklist.md, then go through the change file by file.\n");
            files.put("code-review/references/checklist.md", "# Checklist\n\n- tests fail before the fix\n"
                    + "- no secret in logs\n");
            files.put("release-notes/SKILL.md", "---\nname: release-notes\ndescription: Drafts release notes from "
                    + "merged changes\n---\n\n# Release notes\n\nGroup the changes by module.\n");
            for (Map.Entry<String, String> file : files.entrySet()) {
                Path path = root.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // a temporary folder left behind is harmless
                }
            }));
            return root;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputRequest confirm(String question) {
        ObjectNode params = JSON.createObjectNode().put("message", question);
        params.set("requestedSchema", schema("{\"type\":\"object\",\"properties\":{\"confirm\":{\"type\":"
                + "\"boolean\"}},\"required\":[\"confirm\"]}"));
        return new InputRequest("elicitation/create", params);
    }

    private static InputRequest elicitName(String question) {
        ObjectNode params = JSON.createObjectNode().put("message", question);
        params.set("requestedSchema", schema("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":"
                + "\"string\"}},\"required\":[\"name\"]}"));
        return new InputRequest("elicitation/create", params);
    }

    private static InputRequest sampling(String text, int maxTokens) {
        ObjectNode params = JSON.createObjectNode().put("maxTokens", maxTokens);
        ObjectNode message = params.putArray("messages").addObject().put("role", "user");
        message.set("content", McpContent.text(text));
        return new InputRequest("sampling/createMessage", params);
    }

    private static InputRequest roots() {
        return new InputRequest("roots/list", JSON.createObjectNode());
    }

    private static void resources(McpServer.Builder b) {
        b.resource(new McpResource("test://static-text", "static-text", null, "A static text resource", "text/plain",
                (uri, c) -> List.of(McpContent.textResource(uri, "text/plain",
                        "This is the content of the static text resource."))));
        b.resource(new McpResource("test://static-binary", "static-binary", null, "A static binary resource",
                "image/png", (uri, c) -> List.of(McpContent.blobResource(uri, "image/png", PNG))));
        b.resource(new McpResource("test://watched-resource", "watched-resource", null, "A resource to subscribe to",
                "text/plain", (uri, c) -> List.of(McpContent.textResource(uri, "text/plain", "Watched content"))));
        b.resourceTemplate(new McpResourceTemplate("test://template/{id}/data", "template-data", null,
                "Data for an id", "application/json", (uri, vars, c) -> List.of(McpContent.textResource(uri,
                        "application/json", "{\"id\":\"" + vars.get("id") + "\",\"templateTest\":true,\"data\":"
                                + "\"Data for ID: " + vars.get("id") + "\"}")),
                Map.of("id", prefix(List.of("1",
                        "123", "42")))));
    }

    private static void prompts(McpServer.Builder b) {
        b.prompt(new McpPrompt("test_simple_prompt", null, "A simple prompt without arguments", List.of(), (args,
                c) -> List.of(McpContent.message("user", McpContent.text("This is a simple prompt for testing."))),
                Map.of()));
        b.prompt(new McpPrompt("test_prompt_with_arguments", null, "A prompt with arguments", List.of(
                new McpPrompt.Argument("arg1", "First test argument", true), new McpPrompt.Argument("arg2",
                        "Second test argument", true)),
                (args, c) -> List.of(McpContent.message("user", McpContent
                        .text("Prompt with arguments: arg1='" + args.get("arg1") + "', arg2='" + args.get(
                                "arg2") + "'"))),
                Map.of("arg1", prefix(List.of("paris", "park", "party",
                        "test", "testing")))));
        b.prompt(new McpPrompt("test_prompt_with_embedded_resource", null, "A prompt with an embedded resource", List
                .of(new McpPrompt.Argument("resourceUri", "URI of the resource to embed", true)),
                (args, c) -> List.of(
                        McpContent.message("user", McpContent.embedded(McpContent.textResource(args.get(
                                "resourceUri"), "text/plain", "Embedded resource content for testing."))),
                        McpContent
                                .message("user", McpContent.text(
                                        "Please process the embedded resource above."))),
                Map.of()));
        b.prompt(new McpPrompt("test_prompt_with_image", null, "A prompt with an image", List.of(), (args, c) -> List
                .of(McpContent.message("user", McpContent.image(PNG, "image/png")), McpContent.message("user",
                        McpContent.text("Please analyze the image above."))),
                Map.of()));
    }

    private static Completer prefix(List<String> values) {
        return (value, context) -> values.stream().filter(v -> v.startsWith(value)).toList();
    }

    private static McpToolResult elicited(JsonNode result) {
        return McpToolResult.text("Elicitation completed: action=" + result.path("action").asString("")
                + ", content=" + result.path("content"));
    }

    private static ObjectNode schema(String json) {
        return (ObjectNode) JSON.readTree(json);
    }

    /** {@return a tenth of a second of silence as 8 kHz mono 16-bit PCM WAV} */
    static byte[] wav() {
        int samples = 800;
        ByteBuffer b = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + samples * 2);
        b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(samples * 2);
        return b.array();
    }
}
