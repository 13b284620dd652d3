package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code code agent run}: a role file, a model scripted in OpenAI's wire format on 127.0.0.1, and the real files
 * tools. The live transcript shows each turn, call and result, {@code --json} gives the whole run as one document,
 * and a run that stops before it answers exits 1 and says why.
 */
class AgentCommandTest {
    @TempDir
    Path dir;
    private final ScenarioServer model = new ScenarioServer();
    private Path home;
    private Path root;

    @BeforeEach
    void layOut() throws Exception {
        home = Files.createDirectories(dir.resolve("home"));
        root = Files.createDirectories(dir.resolve("root"));
        Files.writeString(root.resolve("plan.txt"), "deploy at noon\n");
        Files.writeString(dir.resolve("panel.yaml"), """
                experts:
                  - {provider: openai, model: scripted}
                providers:
                  openai: {baseUrl: "%s/v1", timeout: 10s}
                """.formatted(model.base()));
        Files.writeString(dir.resolve("reader.yaml"), """
                name: reader
                description: Reads the plan and says what it says.
                role: You read files and answer in one sentence.
                brain: {panel: agents}
                tools: [files_read, files_list]
                budget: {steps: 5}
                """);
        model.play(reply(call("call_1", "files_read", "{\"path\": \"plan.txt\"}")) + "### next\n" + reply(answer(
                "The plan is to deploy at noon.")));
    }

    @AfterEach
    void stop() {
        model.close();
    }

    private Cli.Result run(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("agent", "run", dir.resolve("reader.yaml").toString(),
                "What does the plan say?", "--experts", dir.resolve("panel.yaml").toString(), "--tools", "files",
                "--root", root.toString()));
        args.addAll(List.of(extra));
        return new Cli(home).run(args.toArray(String[]::new));
    }

    @Test
    void run_showsEachTurnCallAndResult_thenTheAnswer() {
        Cli.Result r = run();

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("agent reader", "── turn 1", "→ files_read {\"path\": \"plan.txt\"}",
                "← files_read ok", "deploy at noon", "── turn 2", "answer", "The plan is to deploy at noon.");
        assertThat(r.out().indexOf("← files_read")).isLessThan(r.out().indexOf("── turn 2"));
        List<ScenarioServer.Recorded> asked = model.requests();
        assertThat(asked).hasSize(2);
        assertThat(asked.get(0).body()).contains("You read files and answer in one sentence.", "files_read",
                "files_list").doesNotContain("files_write");
        assertThat(asked.get(1).body()).as("the file went back to the model").contains("deploy at noon");
    }

    @Test
    void json_isTheWholeRun() {
        Cli.Result r = run("--json");

        assertThat(r.exit()).as(r.all()).isZero();
        JsonNode run = r.json();
        assertThat(run.path("agent").asString()).isEqualTo("reader");
        assertThat(run.path("stopReason").asString()).isEqualTo("ANSWERED");
        assertThat(run.path("answer").asString()).isEqualTo("The plan is to deploy at noon.");
        assertThat(run.path("turns")).hasSize(2);
        JsonNode call = run.path("turns").get(0).path("toolCalls").get(0);
        assertThat(call.path("tool").asString()).isEqualTo("files_read");
        assertThat(call.path("status").asString()).isEqualTo("OK");
        assertThat(call.path("result").asString()).contains("deploy at noon");
        assertThat(run.path("usage").path("inputTokens").asLong()).isEqualTo(2 * 20);
        assertThat(run.path("run").asString()).isNotBlank();
        assertThat(r.out()).doesNotContain("── turn");
    }

    @Test
    void aRunThatStopsBeforeItAnswers_exitsOne_andSaysWhy() {
        Cli.Result r = run("--steps", "1");

        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.err()).contains("stopped before it answered", "steps");
    }

    @Test
    void anUnknownRole_isAUsageError_listingTheReadyMadeOnes() {
        Cli.Result r = new Cli(home).run("agent", "run", "janitor", "sweep", "--experts", dir.resolve("panel.yaml")
                .toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no agent role 'janitor'", "integration-tester");
    }

    @Test
    void roles_listsTheTenReadyMadeRoles_andShowPrintsOne() {
        Cli.Result list = new Cli(home).run("agent", "roles", "--json");
        assertThat(list.exit()).as(list.all()).isZero();
        assertThat(list.json()).hasSize(10);
        Cli.Result show = new Cli(home).run("agent", "show", "deployment-orchestrator");
        assertThat(show.out()).contains("name: deployment-orchestrator", "gate: {mode: both, panel: reviewers}");
    }

    private static ObjectNode call(String id, String name, String arguments) {
        ObjectNode message = Output.object().put("role", "assistant").putNull("content");
        ArrayNode calls = message.putArray("tool_calls");
        calls.addObject().put("id", id).put("type", "function").putObject("function").put("name", name).put(
                "arguments", arguments);
        return message;
    }

    private static ObjectNode answer(String text) {
        return Output.object().put("role", "assistant").put("content", text);
    }

    /** {@return an OpenAI chat completion carrying {@code message}, 20 prompt and 5 completion tokens} */
    private static String reply(ObjectNode message) {
        ObjectNode body = Output.object().put("id", "chatcmpl-1").put("object", "chat.completion").put("created",
                1764000000).put("model", "scripted");
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        choice.set("message", message);
        choice.put("finish_reason", message.has("tool_calls") ? "tool_calls" : "stop");
        body.putObject("usage").put("prompt_tokens", 20).put("completion_tokens", 5).put("total_tokens", 25);
        return "HTTP/1.1 200 OK\nContent-Type: application/json\n\n" + body.toString().replace("\n", " ") + "\n";
    }
}
