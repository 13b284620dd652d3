package org.codeengine.examples.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.codeengine.examples.agents.Wire.call;
import static org.codeengine.examples.agents.Wire.scenario;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.codeengine.api.CallContext;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.agents.Budget;
import org.codeengine.api.agents.Gate;
import org.codeengine.api.agents.StopReason;
import org.codeengine.api.agents.ToolOutcome;
import org.codeengine.api.agents.Turn;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An agent speaks with each of the four provider plugins through a local server that answers in the provider's wire
 * format, and uses the real files and command tool plugins: a three-turn run, two calls of one turn, and a token
 * budget that runs out mid-run.
 */
class AgentToolCallingTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final CallContext OPERATOR = new CallContext(new Principal("olga", Principal.Kind.USER, Set.of(
            "operator")), null, "agent-test");
    @TempDir
    Path dir;
    private final ScenarioServer server = new ScenarioServer();
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final Confirmer person = question -> {
        asked.add(question);
        return true;
    };
    private CodeEngine engine;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        server.close();
    }

    private CodeEngine engine(Wire wire) throws Exception {
        Files.createDirectories(dir.resolve("notes"));
        Files.writeString(dir.resolve("notes/plan.txt"), "deploy at noon\n");
        Files.writeString(dir.resolve("notes/todo.txt"), "water the plants\n");
        engine = CodeEngine.builder().store(StoreConfig.h2InMemory("agents" + UUID.randomUUID().toString().replace(
                "-", ""))).toolSettings("files", Wire.JSON.readTree("{\"roots\": [\"" + dir + "\"]}")).toolSettings(
                        "command", Wire.JSON.readTree("{\"executables\": [\"echo\"], \"roots\": [\"" + dir + "\"]}"))
                .agentProvider(wire.provider, new ProviderConfig(server.base(), Secret.of("sk-agent-test-key"),
                        Duration.ofSeconds(10), Map.of()))
                .build();
        engine.security().defineRole("operator", Set.of(Permission.parse("agent:run:*"), Permission.parse(
                "tool:call:files_list"), Permission.parse("tool:call:files_read"),
                Permission.parse(
                        "tool:call:command_run")),
                Set.of());
        return engine;
    }

    private static AgentSpec reader(Wire wire, Budget budget) {
        return new AgentSpec("reader", "reads the notes", "You read notes and answer briefly.", new Brain.Model(
                wire.provider, "test-model"), List.of("files_*", "command_run"), budget,
                new Gate(Gate.Mode.PERSON,
                        null));
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void threeTurns_listReadAndRunACommand_thenAnswer(Wire wire) throws Exception {
        engine(wire);
        server.play(scenario(wire.calls(50, 10, call("call_1", "files_list", "{\"path\": \"notes\"}")), wire.calls(
                70, 10, call("call_2", "files_read", "{\"path\": \"notes/plan.txt\"}")),
                wire.calls(90, 10, call(
                        "call_3", "command_run", "{\"command\": \"echo\", \"args\": [\"deploying\", \"at\", "
                                + "\"noon\"]}")),
                wire.answer("The plan is to deploy at noon.", 110, 12)));

        AgentResult result = engine.agents().run(OPERATOR, reader(wire, Budget.DEFAULT), "What does the plan say?",
                person).await(WAIT);

        assertThat(result.stopReason()).as(result.detail()).isEqualTo(StopReason.ANSWERED);
        assertThat(result.answer()).isEqualTo("The plan is to deploy at noon.");
        List<Turn> turns = result.transcript().turns();
        assertThat(turns).hasSize(4);
        assertThat(turns.subList(0, 3)).allSatisfy(t -> assertThat(t.outcomes()).singleElement().extracting(
                ToolOutcome::status).isEqualTo(ToolOutcome.Status.OK));
        assertThat(turns.get(0).outcomes().getFirst().result()).contains("plan.txt").contains("todo.txt");
        assertThat(turns.get(1).outcomes().getFirst().result()).contains("deploy at noon");
        assertThat(turns.get(2).outcomes().getFirst().result()).contains("deploying at noon");
        assertThat(result.transcript().usage().totalTokens()).isEqualTo(50 + 70 + 90 + 110 + 10 * 3 + 12);
        assertThat(asked).as("command_run is destructive: the person was asked").singleElement().asString()
                .contains("command_run");

        List<String> bodies = Wire.bodies(server.requests());
        assertThat(bodies).hasSize(4);
        assertThat(bodies.getFirst()).as("the tools offered: the spec's list within the caller's rights").contains(
                "files_list", "files_read", "command_run").doesNotContain("files_write");
        assertThat(bodies.get(1)).as("the listing fed back").contains("todo.txt");
        assertThat(bodies.get(2)).as("the file fed back").contains("deploy at noon");
        assertThat(bodies.get(3)).as("the command's output fed back").contains("deploying at noon");
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void twoCallsOfOneTurn_bothRun_andBothResultsGoBack(Wire wire) throws Exception {
        engine(wire);
        server.play(scenario(wire.calls(40, 10, call("call_a", "files_read", "{\"path\": \"notes/plan.txt\"}"), call(
                "call_b", "files_read", "{\"path\": \"notes/todo.txt\"}")), wire.answer("Noon; plants.", 80, 5)));

        AgentResult result = engine.agents().run(OPERATOR, reader(wire, Budget.DEFAULT), "Read both notes.", person)
                .await(WAIT);

        assertThat(result.stopReason()).as(result.detail()).isEqualTo(StopReason.ANSWERED);
        Turn first = result.transcript().turns().getFirst();
        assertThat(first.outcomes()).extracting(ToolOutcome::status).containsExactly(ToolOutcome.Status.OK,
                ToolOutcome.Status.OK);
        assertThat(first.outcomes().get(0).result()).contains("deploy at noon");
        assertThat(first.outcomes().get(1).result()).contains("water the plants");
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(1).body()).contains("deploy at noon").contains("water the plants");
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aTokenBudget_runningOutMidRun_stopsCleanly_withThePartialTranscript(Wire wire) throws Exception {
        engine(wire);
        String listing = wire.calls(60, 20, call("call_1", "files_list", "{\"path\": \"notes\"}"));
        server.play(scenario(listing, listing, listing, wire.answer("never reached", 60, 20)));
        Budget tight = new Budget(10, 150, 1.0, Duration.ofMinutes(1), 3);

        AgentResult result = engine.agents().run(OPERATOR, reader(wire, tight), "List the notes, again and again.",
                person).await(WAIT);

        assertThat(result.stopReason()).isEqualTo(StopReason.TOKENS);
        assertThat(result.detail()).contains("160 tokens").contains("150");
        assertThat(result.answer()).isNull();
        assertThat(result.transcript().turns()).hasSize(2).allSatisfy(t -> assertThat(t.outcomes()).singleElement()
                .extracting(ToolOutcome::status).isEqualTo(ToolOutcome.Status.OK));
        assertThat(server.requests()).as("no third turn was asked").hasSize(2);
    }
}
