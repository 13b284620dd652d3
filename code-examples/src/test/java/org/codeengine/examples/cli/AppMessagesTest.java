package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.RunSummary;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** How the app tells people and programs what happened: JSON errors, suggestions, widths, tables, causes. */
class AppMessagesTest {
    @TempDir
    Path home;

    @Test
    void withJson_aFailure_printsAJsonErrorObject_onStandardOutput() {
        Cli.Result refused = new Cli(home).run("keys", "create", "--owner", "ci", "--role", "nosuchrole", "--json");
        assertThat(refused.exit()).isEqualTo(2);
        JsonNode error = refused.json();
        assertThat(error.path("error").asString()).contains("no role is named 'nosuchrole'");
        assertThat(error.path("hint").asString()).contains("code roles");

        Cli.Result badFlag = new Cli(home).run("status", "--limit", "many", "--json");
        assertThat(badFlag.exit()).isEqualTo(2);
        assertThat(badFlag.json().path("error").asString()).contains("--limit");
    }

    @Test
    void aMistypedCommand_getsADidYouMean() {
        Cli.Result r = new Cli(home).run("statu");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("did you mean 'code status'");
    }

    @Test
    void linesAreCutOnlyOnATerminal_toItsWidth() {
        assertThat(output(false, Map.of("COLUMNS", "80")).width()).as("piped").isEqualTo(Output.UNBOUNDED);
        assertThat(output(true, Map.of("COLUMNS", "80")).width()).isEqualTo(80);
        assertThat(output(true, Map.of("COLUMNS", "213")).width()).isEqualTo(213);
    }

    @Test
    void statusOfARun_showsItsStepsAsATable_withARowPerInstance() {
        Instant at = Instant.parse("2026-12-01T10:00:00Z");
        RunSummary run = new RunSummary("r-1", "shop", "dev", RunState.SUCCEEDED, at, at, List.of(new StepRecord(
                "r-1", "api", StepState.HEALTHY, 1, at, at, Map.of("0.pid", "4711", "0.port", "8080", "1.pid",
                        "4712", "1.port", "8081"),
                null),
                new StepRecord("r-1", "db", StepState.FAILED, 3, at, at, Map
                        .of(), "exited with 1")));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Output out = new Output(new Io(new PrintStream(bytes, true, StandardCharsets.UTF_8), System.err,
                new ByteArrayInputStream(new byte[0]), Map.of(), false), false, true);

        RunCommands.printRun(out, run);

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(2)).containsSubsequence("SERVICE", "STATE", "TRIES", "INSTANCE", "PID", "PORT");
        assertThat(lines.get(3)).containsSubsequence("api", "1", "0", "4711", "8080").doesNotContain("0.pid");
        assertThat(lines.get(4)).containsSubsequence("1", "4712", "8081").doesNotContain("api");
        assertThat(lines.get(5)).containsSubsequence("db", "3", "exited with 1");
    }

    @Test
    void askingAProviderWhoseKeyIsNotSet_namesTheMissingKey() {
        Cli.Result r = new Cli(home).run("ask", "What is 2 + 2?", "--experts", "openai:gpt-4o-mini");

        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        assertThat(r.err()).contains("OPENAI_API_KEY").contains("not set");
    }

    @Test
    void benchTargets_nameTheFigure_notAnIssueNumber() {
        assertThat(BenchTargets.TARGETS).allSatisfy(t -> assertThat(t.what()).doesNotContainPattern("issue \\d")
                .containsPattern("^[a-z]"));
    }

    private static Output output(boolean terminal, Map<String, String> env) {
        return new Output(new Io(System.out, System.err, new ByteArrayInputStream(new byte[0]), env, terminal),
                false, true);
    }
}
