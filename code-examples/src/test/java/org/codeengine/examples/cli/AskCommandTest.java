package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** code ask: where the panel comes from, the overrides, and what is printed; recorded replies, no network. */
class AskCommandTest {
    @TempDir
    Path home;

    private static EvalData.Question question() {
        return EvalData.disputed(Cli.evalDir().resolve(EvalData.FILE), EvalData.DEMO_MODELS, 1).getFirst();
    }

    @Test
    void ask_ofRecordedExperts_printsTheConsensusWithAgreementConfidenceAndDissent() {
        EvalData.Question q = question();
        Cli.Result r = new Cli(home).env("CODE_EVAL", Cli.evalDir().toString()).run("ask", "--experts", "replay",
                q.question());

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("answer ").contains("agreement ").contains("confidence ").contains("dissent ")
                .contains("replay/gpt-4o-mini-2024-07-18");
    }

    @Test
    void ask_withJsonAndOverrides_usesTheStrategyAndQuorumGiven() {
        EvalData.Question q = question();
        Cli.Result r = new Cli(home).run("ask", "--eval", Cli.evalDir().toString(), "--experts",
                "replay:gpt-4o-mini-2024-07-18,replay:claude-3-haiku-20240307,replay:Qwen2-7B-Instruct",
                "--strategy", "majority", "--quorum", "3", "--timeout", "10s", "--json", q.question());

        assertThat(r.exit()).as(r.all()).isZero();
        JsonNode json = r.json();
        assertThat(json.path("strategy").asString()).isEqualTo("majority");
        assertThat(json.path("answers").size()).isEqualTo(3);
        assertThat(json.path("agreement").asDouble()).isBetween(0.0, 1.0);
        assertThat(json.path("answer").asString()).isNotBlank();
    }

    @Test
    void ask_withNoExpertsAnywhere_exitsTwo_sayingHowToConfigureThem() {
        Cli.Result r = new Cli(home).run("ask", "What is 2 + 2?");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no experts are configured").contains("OPENAI_API_KEY").contains(
                "--experts replay");
    }

    @Test
    void ask_ofAnUnknownProvider_orABadQuorum_exitsTwo() {
        assertThat(new Cli(home).run("ask", "--experts", "nosuch:model", "q?").err()).contains("nosuch");
        assertThat(new Cli(home).run("ask", "--experts", "nosuch:model", "q?").exit()).isEqualTo(2);
        Cli.Result quorum = new Cli(home).run("ask", "--experts", "replay", "--eval", Cli.evalDir().toString(),
                "--quorum", "lots", "q?");
        assertThat(quorum.exit()).isEqualTo(2);
        assertThat(quorum.err()).contains("--quorum 'lots'");
    }

    @Test
    void panelFromConfigYaml_comesBeforeTheKeysInTheEnvironment() throws Exception {
        Files.writeString(home.resolve("config.yaml"), """
                experts:
                  experts:
                    - {provider: replay, model: gpt-4o-mini-2024-07-18}
                  providers:
                    replay: {settings: {file: "%s"}}
                  quorum: 1
                """.formatted(Cli.evalDir().resolve(EvalData.FILE)));
        Cli.Result r = new Cli(home).env("OPENAI_API_KEY", "sk-unused").run("ask", "--json", question().question());

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.json().path("answers").get(0).path("expert").asString()).isEqualTo(
                "replay/gpt-4o-mini-2024-07-18");
    }

    @Test
    void panelFromTheEnvironment_hasOneExpertPerKey_withTheModelVariables() {
        Io io = new Io(System.out, System.err, System.in, Map.of("OPENAI_API_KEY", "sk-test", "GOOGLE_API_KEY",
                "g-test", "GEMINI_MODEL", "gemini-exp"), false);
        ExpertPanel panel = Panels.fromEnvironment(io);

        assertThat(panel).isNotNull();
        assertThat(panel.experts()).extracting(ExpertSpec::id).containsExactly("openai/gpt-4o-mini",
                "gemini/gemini-exp");
        assertThat(panel.providers().get("gemini").settings()).containsEntry("api-key-ref", "env:GOOGLE_API_KEY");
        assertThat(panel.toString()).doesNotContain("g-test").doesNotContain("sk-test");
        assertThat(Panels.fromEnvironment(new Io(System.out, System.err, System.in, Map.of(), false))).isNull();
    }

    @Test
    void disputedQuestions_areOnesTheModelsSplitOn_withAMajority() {
        List<EvalData.Question> picked = EvalData.disputed(Cli.evalDir().resolve(EvalData.FILE), EvalData.DEMO_MODELS,
                3);

        assertThat(picked).hasSize(3).allSatisfy(q -> assertThat(q.gold()).isNotBlank());
        assertThat(picked).extracting(EvalData.Question::id).doesNotHaveDuplicates();
    }
}
