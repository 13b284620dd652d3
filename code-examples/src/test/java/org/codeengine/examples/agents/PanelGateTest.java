package org.codeengine.examples.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.agents.Budget;
import org.codeengine.api.agents.Gate;
import org.codeengine.api.agents.StopReason;
import org.codeengine.api.agents.ToolOutcome;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Quorum;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.ScenarioServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The consensus gate with a panel of three replay experts (recorded replies): the panel approves one deploy over a
 * dissent and rejects another, the registry runs only the approved one, the agent is told the panel's reasons, and
 * the audit log holds each verdict with every vote and the dissent, never the secret token; an agent whose deploy the
 * panel rejects never deploys, and its model hears the panel's reasons.
 */
class PanelGateTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TOKEN = "tok-3f9a1c77e2b54d0c";

    @TempDir
    Path dir;

    static String question(String env) {
        return "Agent: deployer\nStated purpose: Deploys the shop to staging after the tests pass.\nTool: deploy\n"
                + "Arguments (secrets redacted): {\"env\":\"" + env + "\",\"token\":\"***\"}\n"
                + "May this call run? Answer APPROVE or REJECT, then your reason.";
    }

    static ExpertPanel replayPanel(Path replies) {
        ExpertPanel.Builder panel = ExpertPanel.builder().quorum(Quorum.majority()).strategy("majority")
                .expertTimeout(Duration.ofSeconds(10)).provider("replay", new ProviderConfig(null, null, Duration
                        .ofSeconds(10), Map.of("file", replies.toString())));
        for (String model : List.of("m1", "m2", "m3")) {
            panel.expert(ExpertSpec.of("replay", model));
        }
        return panel.build();
    }

    static AgentSpec deployer(Gate gate) {
        return new AgentSpec("deployer", "Deploys the shop to staging after the tests pass.", "You deploy the shop.",
                new Brain.Model("openai", "gpt-4o-mini"), List.of("deploy"), Budget.DEFAULT, gate);
    }

    @Test
    void panel_approvesOverADissent_andRejects_eachVerdictAudited() throws IOException {
        Path replies = dir.resolve("gate.jsonl");
        ObjectNode approve = JSON.createObjectNode().put("question", question("staging"));
        approve.putObject("answers").put("m1", "APPROVE: staging is what the purpose names.").put("m2",
                "Approve. A staging deploy after tests is routine.").put("m3",
                        "REJECT - the tests have not been shown to pass.");
        ObjectNode reject = JSON.createObjectNode().put("question", question("prod"));
        reject.putObject("answers").put("m1", "REJECT: production is outside the stated purpose.").put("m2",
                "reject, the purpose says staging, not prod.").put("m3", "APPROVE it looks fine");
        Files.writeString(replies, approve + "\n" + reject + "\n");
        DeployTool tool = new DeployTool();
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("gate" + UUID.randomUUID()
                .toString().replace("-", ""))).toolProvider(tool).panel("reviewers", replayPanel(replies)).build()) {
            engine.security().defineRole("deployer", Set.of(Permission.parse("tool:call:deploy"), Permission.parse(
                    "expert:*:*")), Set.of());
            CallContext ctx = new CallContext(new Principal("ci-bot", Principal.Kind.SERVICE, Set.of("deployer")),
                    null, "trace-gate");
            Confirmer gate = engine.gateKeeper().orElseThrow().panel(ctx, deployer(new Gate(Gate.Mode.PANEL,
                    "reviewers")), "reviewers");

            ToolResult approved = engine.tools().call(ctx, "deploy", args("staging"), gate);
            assertThat(approved.error()).as(approved.text()).isFalse();
            assertThat(tool.deployed).containsExactly("staging");

            ToolResult rejected = engine.tools().call(ctx, "deploy", args("prod"), gate);
            assertThat(rejected.error()).isTrue();
            assertThat(rejected.text()).contains("not approved", "the panel voted reject",
                    "production is outside the stated purpose").doesNotContain(TOKEN);
            assertThat(tool.deployed).as("the rejected deploy never ran").containsExactly("staging");

            List<AuditEntry> verdicts = engine.security().audit(1, 1_000).stream().filter(e -> e.action().equals(
                    "gate:panel:deploy")).toList();
            assertThat(verdicts).extracting(AuditEntry::outcome).containsExactly(AuditEntry.Outcome.SUCCESS,
                    AuditEntry.Outcome.DENIED);
            assertThat(verdicts.get(0).target()).isEqualTo("deploy");
            assertThat(verdicts.get(0).principalId()).isEqualTo("ci-bot");
            assertThat(verdicts.get(0).detail()).contains("agent=deployer", "verdict=approve",
                    "replay/m1 approve: staging is what the purpose names.",
                    "dissent=[replay/m3 reject: the tests have not been shown to pass.]");
            assertThat(verdicts.get(1).detail()).contains("verdict=reject",
                    "dissent=[replay/m3 approve: it looks fine]");
            assertThat(engine.security().audit(1, 1_000)).allSatisfy(e -> assertThat(e.detail()).doesNotContain(
                    TOKEN));
        }
    }

    @Test
    void anAgentsDestructiveCall_rejectedByThePanel_neverRuns_andTheModelHearsWhy() throws IOException {
        Path replies = dir.resolve("gate.jsonl");
        ObjectNode reject = JSON.createObjectNode().put("question", question("prod"));
        reject.putObject("answers").put("m1", "REJECT: production is outside the stated purpose.").put("m2",
                "reject, the purpose says staging, not prod.").put("m3", "APPROVE it looks fine");
        Files.writeString(replies, reject + "\n");
        DeployTool tool = new DeployTool();
        try (ScenarioServer model = new ScenarioServer();
                CodeEngine engine = CodeEngine.builder().store(StoreConfig
                        .h2InMemory("gate" + UUID.randomUUID().toString().replace("-", ""))).toolProvider(tool).panel(
                                "reviewers", replayPanel(replies))
                        .agentProvider("openai", new ProviderConfig(model.base(),
                                null, Duration.ofSeconds(10), Map.of()))
                        .build()) {
            model.play(Wire.scenario(Wire.OPENAI.calls(30, 5, Wire.call("call_1", "deploy", "{\"env\": \"prod\", "
                    + "\"token\": \"" + TOKEN + "\"}")), Wire.OPENAI.answer("The reviewers refused prod.", 60, 5)));
            engine.security().defineRole("deployer", Set.of(Permission.parse("tool:call:deploy"), Permission.parse(
                    "expert:*:*"), Permission.parse("agent:run:*")), Set.of());
            CallContext ctx = new CallContext(new Principal("ci-bot", Principal.Kind.SERVICE, Set.of("deployer")),
                    null, "trace-agent-gate");
            AgentSpec spec = new AgentSpec("deployer", "Deploys the shop to staging after the tests pass.",
                    "You deploy the shop.", new Brain.Model("openai", "scripted"), List.of("deploy"), Budget.DEFAULT,
                    new Gate(Gate.Mode.PANEL, "reviewers"));

            AgentResult result = engine.agents().run(ctx, spec, "Deploy to prod.").await(Duration.ofSeconds(60));

            assertThat(result.stopReason()).as(result.detail()).isEqualTo(StopReason.ANSWERED);
            assertThat(tool.deployed).as("the rejected deploy never ran").isEmpty();
            ToolOutcome refused = result.transcript().turns().getFirst().outcomes().getFirst();
            assertThat(refused.result()).contains("the panel voted reject", "production is outside the stated "
                    + "purpose").doesNotContain(TOKEN);
            assertThat(model.requests().get(1).body()).as("the model heard the panel's reasons").contains(
                    "production is outside the stated purpose");
            assertThat(engine.security().audit(1, 1_000)).filteredOn(e -> e.action().equals("gate:panel:deploy"))
                    .singleElement().satisfies(e -> assertThat(e.detail()).contains("verdict=reject",
                            "dissent=[replay/m3 approve: it looks fine]"));
        }
    }

    @Test
    void bothGate_thePanelApproves_thenThePersonDeclines_soNothingRuns_andBothAreAudited() throws IOException {
        Path replies = dir.resolve("gate.jsonl");
        ObjectNode approve = JSON.createObjectNode().put("question", question("staging"));
        approve.putObject("answers").put("m1", "APPROVE: staging is what the purpose names.").put("m2",
                "APPROVE routine").put("m3", "APPROVE fine");
        Files.writeString(replies, approve + "\n");
        DeployTool tool = new DeployTool();
        List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        Confirmer person = question -> {
            asked.add(question);
            return false;
        };
        try (ScenarioServer model = new ScenarioServer();
                CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("gate" + UUID.randomUUID()
                        .toString().replace("-", ""))).toolProvider(tool).panel("reviewers", replayPanel(replies))
                        .agentProvider("openai", new ProviderConfig(model.base(), null, Duration.ofSeconds(10), Map
                                .of()))
                        .build()) {
            model.play(Wire.scenario(Wire.OPENAI.calls(30, 5, Wire.call("call_1", "deploy", "{\"env\": \"staging\", "
                    + "\"token\": \"" + TOKEN + "\"}")), Wire.OPENAI.answer("The person said no.", 60, 5)));
            engine.security().defineRole("deployer", Set.of(Permission.parse("tool:call:deploy"), Permission.parse(
                    "expert:*:*"), Permission.parse("agent:run:*")), Set.of());
            CallContext ctx = new CallContext(new Principal("ci-bot", Principal.Kind.SERVICE, Set.of("deployer")),
                    null, "trace-both");

            AgentResult result = engine.agents().run(ctx, new AgentSpec("deployer",
                    "Deploys the shop to staging after the tests pass.", "You deploy the shop.", new Brain.Model(
                            "openai", "scripted"),
                    List.of("deploy"), Budget.DEFAULT, new Gate(Gate.Mode.BOTH,
                            "reviewers")),
                    "Deploy to staging.", person).await(Duration.ofSeconds(60));

            assertThat(result.stopReason()).as(result.detail()).isEqualTo(StopReason.ANSWERED);
            assertThat(tool.deployed).as("the person's refusal stopped the approved deploy").isEmpty();
            assertThat(asked).as("the person was asked after the panel approved").singleElement().asString()
                    .contains("deploy", "staging").doesNotContain(TOKEN);
            assertThat(result.transcript().turns().getFirst().outcomes().getFirst().result()).contains(
                    "the person declined");
            assertThat(engine.security().audit(1, 1_000)).filteredOn(e -> e.action().startsWith("gate:"))
                    .extracting(AuditEntry::action, AuditEntry::outcome).containsExactly(org.assertj.core.groups.Tuple
                            .tuple("gate:panel:deploy", AuditEntry.Outcome.SUCCESS),
                            org.assertj.core.groups.Tuple
                                    .tuple("gate:person:deploy", AuditEntry.Outcome.DENIED));
        }
    }

    @Test
    void gateNamingAPanelTheEngineLacks_isAConfigurationError_namingIt() {
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("gate" + UUID.randomUUID()
                .toString().replace("-", ""))).panel("reviewers", replayPanel(dir.resolve("none.jsonl"))).build()) {
            CallContext ctx = new CallContext(new Principal("ci-bot", Principal.Kind.SERVICE, Set.of()), null, "t");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.gateKeeper().orElseThrow().panel(ctx,
                    deployer(new Gate(Gate.Mode.PANEL, "auditors")), "auditors")).isInstanceOf(
                            ConfigurationException.class)
                    .hasMessageContaining("'auditors'").hasMessageContaining(
                            "reviewers");
        }
    }

    private static ObjectNode args(String env) {
        return JSON.createObjectNode().put("env", env).put("token", TOKEN);
    }
}
