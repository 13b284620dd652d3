package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a command that needs no store, or no full evaluation data, leaves alone: {@code code plugins} finds the plugins
 * without creating, opening or migrating the store, and the demo's experts answer from the sample the app carries.
 */
class LazyStartTest {
    @TempDir
    Path home;

    @Test
    void plugins_onAFreshHome_neitherCreatesNorOpensTheStore() throws Exception {
        Cli.Result r = new Cli(home).run("plugins", "--json");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.json().path("storeProvider").asString()).isEqualTo("h2");
        assertThat(r.json().path("store").asString()).startsWith("jdbc:h2:file:" + home.resolve("code-db"));
        try (var files = Files.list(home)) {
            assertThat(files.map(f -> f.getFileName().toString())).noneMatch(name -> name.startsWith("code-db"));
        }
    }

    @Test
    void plugins_ofAStoreNoOneListensFor_listsThePlugins_andTheProviderThatWouldServeIt() {
        // port 1: nothing listens there, so opening the store would fail; listing the plugins does not open it
        Cli.Result r = new Cli(home).run("plugins", "--json", "--store", "jdbc:postgresql://127.0.0.1:1/none");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.json().path("storeProvider").asString()).isEqualTo("postgres");
        assertThat(r.json().path("plugins").size()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void theSampleTheAppCarries_holdsDisputedQuestions_thatTheRecordedExpertsAnswer() {
        Path sample = EvalData.sample(home.resolve("cache"));
        List<EvalData.Question> disputed = EvalData.disputed(sample, EvalData.DEMO_MODELS, EvalData.SAMPLE_SIZE);
        assertThat(disputed).as("the demo asks 3 by default").hasSizeGreaterThanOrEqualTo(10);

        Cli.Result r = new Cli(home).env("CODE_EVAL", sample.toString()).run("ask", "--experts", "replay", "--json",
                disputed.getFirst().question());

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.json().path("answers").size()).isEqualTo(EvalData.DEMO_MODELS.size());
        assertThat(r.json().path("answer").asString()).isNotBlank();
    }

    @Test
    void commandsThatOnlyRead_openAStoreAtTheCurrentSchema_withoutTheMigrator_whileWritersStillRunIt()
            throws Exception {
        assertThat(new Cli(home).run("status").exit()).isZero(); // makes and migrates the store
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + home.resolve("code-db"));
                Statement s = c
                        .createStatement()) {
            // what the migrator's validation refuses, and a reader's one query of the schema history does not see
            s.executeUpdate("update \"code_schema_history\" set \"checksum\" = \"checksum\" + 1 "
                    + "where \"version\" = '1'");
        }

        for (List<String> reader : List.of(List.of("status"), List.of("agent", "roles"), List.of("roles", "list"), List
                .of("audit", "tail"), List.of("events", "tail"))) {
            Cli.Result r = new Cli(home).run(reader.toArray(String[]::new));
            assertThat(r.exit()).as(reader + ": " + r.all()).isZero();
        }
        Cli.Result writer = new Cli(home).run("keys", "create", "--owner", "ci", "--role", "admin");
        assertThat(writer.exit()).as(writer.all()).isEqualTo(CodeApp.FAILURE);
        assertThat(writer.err()).contains("Validate failed");
    }
}
