package org.codeengine.core.internal.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.agents.Budget;
import org.codeengine.api.agents.Gate;
import org.codeengine.api.experts.Price;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Role files in YAML and JSON: every field read, every bad field named with its rule, and specs journaled intact. */
class RoleFilesTest {
    private static final String TESTER = """
            name: integration-tester
            description: runs the integration tests
            role: You are an integration tester.
            brain: {provider: openai, model: gpt-4.1, price: {input: 2.0, output: 8.0}}
            tools: [files_*, command_run]
            budget: {steps: 12, tokens: 50000, cost: 0.5, wallTime: 90s, malformedCalls: 2}
            gate: {mode: panel, panel: reviewers}
            """;

    @Test
    void aYamlRole_isReadWithEveryField(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tester.yaml");
        Files.writeString(file, TESTER);

        AgentSpec spec = RoleCodec.load(file);

        assertThat(spec).isEqualTo(new AgentSpec("integration-tester", "runs the integration tests",
                "You are an integration tester.", new Brain.Model("openai", "gpt-4.1", new Price(2.0, 8.0)), List.of(
                        "files_*", "command_run"),
                new Budget(12, 50_000, 0.5, Duration.ofSeconds(90), 2), new Gate(
                        Gate.Mode.PANEL, "reviewers")));
        assertThat(spec.allows("files_read")).isTrue();
        assertThat(spec.allows("FILES_READ")).as("as permissions, case aside").isTrue();
        assertThat(spec.allows("command_run")).isTrue();
        assertThat(spec.allows("command_runner")).isFalse();
        assertThat(spec.allows("http_get")).isFalse();
    }

    @Test
    void toolPatterns_matchStarsAndQuestionMarksAnywhere_inLinearTime() {
        AgentSpec spec = RoleCodec.parse("""
                {"name": "globs", "role": "You match.", "brain": {"panel": "experts"},
                 "tools": ["k8s_*_get", "?ile*", "a*a*a*a*a*a*a*a*a*a*a*a*b"]}""", "globs.json");

        assertThat(spec.allows("k8s_pod_get")).isTrue();
        assertThat(spec.allows("k8s__get")).isTrue();
        assertThat(spec.allows("k8s_pod_getter")).isFalse();
        assertThat(spec.allows("files_read")).isTrue();
        assertThat(spec.allows("iles")).isFalse();
        // a backtracking matcher takes about 60^12 steps here; the linear one answers at once
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(spec.allows("a".repeat(60))).isFalse());
        assertThat(spec.allows("a".repeat(20) + "b")).isTrue();
    }

    @Test
    void aJsonRole_withDefaults_andAPanelBrain() {
        AgentSpec spec = RoleCodec.parse("""
                {"name": "guardian", "role": "You watch.", "brain": {"panel": "experts"}, "tools": ["metrics_?"]}""",
                "guardian.json");

        assertThat(spec.brain()).isEqualTo(new Brain.Panel("experts"));
        assertThat(spec.budget()).isEqualTo(Budget.DEFAULT);
        assertThat(spec.gate()).isEqualTo(Gate.NONE);
        assertThat(spec.description()).isEmpty();
        assertThat(spec.allows("metrics_a")).isTrue();
        assertThat(spec.allows("metrics_ab")).isFalse();
    }

    @Test
    void theJournaledForm_readsBackAsTheSameSpec() {
        AgentSpec spec = RoleCodec.parse(TESTER, "tester.yaml");

        assertThat(RoleCodec.parse(JournalCodec.spec(spec), "journal")).isEqualTo(spec);
    }

    @Test
    void eachBadField_isNamedWithItsRule() {
        assertThat(error(TESTER.replace("name: integration-tester", "name: Integration Tester"))).contains("name")
                .contains("must match");
        assertThat(error(TESTER.replace("steps: 12", "steps: 0"))).contains("budget.steps").contains(
                "at least 1 but was 0");
        assertThat(error(TESTER.replace("wallTime: 90s", "wallTime: soon"))).contains("budget.wallTime").contains(
                "must be a duration");
        assertThat(error(TESTER.replace("cost: 0.5", "cost: -1"))).contains("budget.cost").contains("between");
        assertThat(error(TESTER.replace("mode: panel", "mode: vote"))).contains("gate.mode").contains(
                "none, panel, person, both");
        assertThat(error(TESTER.replace("mode: panel, panel: reviewers", "mode: panel"))).contains("gate").contains(
                "panel must name a panel");
        assertThat(error(TESTER.replace("tools: [files_*, command_run]", "tools: []"))).contains("tools").contains(
                "at least one");
        assertThat(error(TESTER.replace("tools: [files_*, command_run]", "tools: [files_*, 'rm -rf']"))).contains(
                "tools[1]").contains("must match");
        assertThat(error(TESTER.replace("brain: {", "brain: {panel: experts, "))).contains("brain").contains(
                "either a panel or a provider");
        assertThat(error(TESTER + "temperature: 2\n")).contains("unknown field 'temperature'");
        assertThat(error(TESTER.replace("role: You are an integration tester.\n", ""))).contains("role");
        assertThat(error("name: [unclosed")).contains("not well-formed YAML");
    }

    @Test
    void aMissingFile_isNotFound(@TempDir Path dir) {
        assertThatThrownBy(() -> RoleCodec.load(dir.resolve("nope.yaml"))).isInstanceOf(NotFoundException.class)
                .hasMessageContaining("nope.yaml");
    }

    private static String error(String yaml) {
        try {
            RoleCodec.parse(yaml, "role.yaml");
        } catch (InvalidRequestException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + yaml);
    }
}
