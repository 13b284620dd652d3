package org.codeengine.examples.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.codeengine.plugin.mcp.McpClient;
import org.codeengine.plugin.mcp.McpToolResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code code mcp serve --stdio --agents ...} without a model of its own, a child process of the app, driven by the
 * library's client: the agent is a tool, thinks with the client's model through sampling with tools, reads a file,
 * asks the client's user to approve a write (its gate is a person), writes it, reports each turn as progress, and
 * answers with the run as structured content; a cancelled call stops the run, down to its model request in flight.
 */
class McpAgentsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path base;
    static Path root;
    static Path home;
    static Path role;

    @BeforeAll
    static void layOut() throws IOException {
        root = Files.createDirectories(base.resolve("root"));
        home = Files.createDirectories(base.resolve("home"));
        Files.writeString(root.resolve("plan.txt"), "deploy at noon\n");
        role = base.resolve("scribe.yaml");
        Files.writeString(role, """
                name: scribe
                description: Reads the plan and writes down when to deploy.
                role: You read the plan and write the deploy time to when.txt.
                brain: {provider: openai, model: unused}
                tools: [files_read, files_write]
                budget: {steps: 5}
                gate: {mode: person}
                """);
    }

    static List<String> serve() throws IOException {
        String modulePath = Files.readString(Path.of("target/module-path.txt")).strip() + File.pathSeparator + Path.of(
                "target/classes").toAbsolutePath();
        return List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=org.codeengine.plugin.tools.files", "-XX:TieredStopAtLevel=1", "-p",
                modulePath, "-m", "org.codeengine.examples/org.codeengine.examples.cli.CodeApp", "--home", home
                        .toString(),
                "mcp", "serve", "--stdio", "--tools", "files", "--root", root.toString(),
                "--agents", role.toString());
    }

    @Test
    void agentTool_thinksWithTheClientsModel_asksItsUser_andReportsEachTurn() throws Exception {
        List<ObjectNode> sampled = new CopyOnWriteArrayList<>();
        List<String> asked = new CopyOnWriteArrayList<>();
        List<Double> progress = new CopyOnWriteArrayList<>();
        McpClient.SamplingHandler model = params -> {
            sampled.add(params.deepCopy());
            return switch (sampled.size()) {
                case 1 -> toolUse("u1", "files_read", "{\"path\": \"plan.txt\"}");
                case 2 -> toolUse("u2", "files_write", "{\"path\": \"when.txt\", \"content\": \"noon\"}");
                default -> JSON.createObjectNode().put("role", "assistant").put("model", "client-model").put(
                        "stopReason", "endTurn").set("content",
                                JSON.createObjectNode().put("type", "text").put(
                                        "text", "Wrote when.txt: noon."));
            };
        };
        try (McpClient client = McpClient.builder().samplingWithTools(model).elicitation((message, schema) -> {
            asked.add(message);
            return JSON.createObjectNode().put("action", "accept").set("content", JSON.createObjectNode());
        }).timeout(Duration
                .ofSeconds(120)).connectStdio(serve())) {
            JsonNode tool = client.listTools().stream().filter(t -> t.path("name").asString().equals("agent_scribe"))
                    .findFirst().orElseThrow();
            assertThat(tool.path("description").asString()).contains("Reads the plan", "files_read",
                    "you, through your client");
            assertThat(tool.path("inputSchema").path("required").toString()).contains("task");

            McpToolResult result = client.callTool("agent_scribe", JSON.createObjectNode().put("task",
                    "When do we deploy? Write it down."), (p, params) -> progress.add(p));

            assertThat(result.isError()).as(result.content().toString()).isFalse();
            assertThat(result.content().getFirst().path("text").asString()).isEqualTo("Wrote when.txt: noon.");
            JsonNode run = result.structuredContent();
            assertThat(run.path("stopReason").asString()).isEqualTo("ANSWERED");
            assertThat(run.path("turns")).hasSize(3);
            assertThat(run.path("turns").get(1).path("toolCalls").get(0).path("status").asString()).isEqualTo("OK");
            assertThat(Files.readString(root.resolve("when.txt"))).isEqualTo("noon");
            assertThat(asked).as("the write waited for the user's approval").singleElement().asString().contains(
                    "files_write", "when.txt");
            assertThat(progress).as("one progress notification per turn").containsExactly(1.0, 2.0, 3.0);

            ObjectNode first = sampled.getFirst();
            assertThat(first.path("systemPrompt").asString()).contains("write the deploy time");
            assertThat(first.path("tools").toString()).contains("files_read", "files_write");
            assertThat(first.path("messages").get(0).path("content").path("text").asString()).contains(
                    "When do we deploy");
            JsonNode fedBack = sampled.get(1).path("messages");
            JsonNode results = fedBack.get(fedBack.size() - 1);
            assertThat(results.path("role").asString()).isEqualTo("user");
            assertThat(results.path("content").get(0).path("type").asString()).isEqualTo("tool_result");
            assertThat(results.path("content").get(0).path("toolUseId").asString()).isEqualTo("u1");
            assertThat(results.toString()).contains("deploy at noon");
        }
    }

    @Test
    void cancellingTheCall_stopsTheRun_andItsModelRequestInFlight() throws Exception {
        List<String> sampled = new CopyOnWriteArrayList<>();
        CountDownLatch secondTurn = new CountDownLatch(1);
        CountDownLatch modelCancelled = new CountDownLatch(1);
        McpClient.SamplingHandler model = params -> {
            sampled.add(params.toString());
            if (sampled.size() == 1) {
                return toolUse("u1", "files_read", "{\"path\": \"plan.txt\"}");
            }
            secondTurn.countDown();
            try {
                new CountDownLatch(1).await(); // the model thinks until the server takes the request back
            } catch (InterruptedException e) {
                modelCancelled.countDown();
                throw e;
            }
            throw new IllegalStateException("unreachable");
        };
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        try (McpClient client = McpClient.builder().samplingWithTools(model).timeout(Duration.ofSeconds(120))
                .connectStdio(serve())) {
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    client.callTool("agent_scribe", JSON.createObjectNode().put("task", "Read the plan."));
                } catch (RuntimeException e) {
                    outcome.set(e);
                }
            });
            assertThat(secondTurn.await(60, TimeUnit.SECONDS)).as("the run reached its second turn").isTrue();
            caller.interrupt();
            caller.join(Duration.ofSeconds(10));
            assertThat(outcome.get()).as("the cancelled call fails for its caller").isNotNull();
            assertThat(modelCancelled.await(30, TimeUnit.SECONDS)).as("the run took back its model request: it "
                    + "stopped").isTrue();
            client.ping();
            assertThat(sampled).as("no turn after the cancel").hasSize(2);
        }
    }

    private static ObjectNode toolUse(String id, String name, String input) {
        ObjectNode result = JSON.createObjectNode().put("role", "assistant").put("model", "client-model").put(
                "stopReason", "toolUse");
        result.putArray("content").addObject().put("type", "tool_use").put("id", id).put("name", name).set("input",
                JSON.readTree(input));
        return result;
    }
}
