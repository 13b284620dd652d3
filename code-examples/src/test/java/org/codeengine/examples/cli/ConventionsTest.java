package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** What every command shares: help with examples, exit codes, errors, JSON, colours, and where settings come from. */
class ConventionsTest {
    @TempDir
    Path home;

    private static List<CommandLine> everyCommand(CommandLine cli) {
        List<CommandLine> all = new ArrayList<>(List.of(cli));
        cli.getSubcommands().values().stream().filter(c -> !c.getCommandName().equals("help")).forEach(c -> all
                .addAll(everyCommand(c)));
        return all;
    }

    @Test
    void everyCommand_hasHelp_withExamples_andExitsZero() {
        List<CommandLine> commands = everyCommand(CodeApp.commandLine(Io.system()));
        assertThat(commands).extracting(CommandLine::getCommandName).contains("demo", "deploy", "plan", "status",
                "rollback", "resume", "ask", "verify", "tail", "scan", "create", "revoke", "add", "plugins", "bench");
        for (CommandLine command : commands) {
            String path = command.getCommandSpec().qualifiedName(" ");
            List<String> args = new ArrayList<>(List.of(path.split(" ")).subList(1, path.split(" ").length));
            args.add("--help");
            Cli.Result r = new Cli(home).run(args.toArray(String[]::new));
            assertThat(r.exit()).as(path).isZero();
            assertThat(r.out()).as(path).contains("Usage: " + path).contains("Examples:").contains("  code ");
        }
    }

    @Test
    void anUnknownOption_exitsTwo_withOneSentenceAndAHint() {
        Cli.Result r = new Cli(home).run("status", "--frobnicate");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().lines().toList()).containsExactly("error: Unknown option: '--frobnicate'",
                "hint: see 'code status --help'");
    }

    @Test
    void noCommand_exitsTwo() {
        assertThat(new Cli(home).run().exit()).isEqualTo(2);
    }

    @Test
    void aStackTrace_isShownOnlyWithVerbose() throws Exception {
        Path bad = home.resolve("bad.yaml");
        Files.writeString(bad, "name: x\nenvironment: dev\nservices: []\n");

        Cli.Result quiet = new Cli(home).run("plan", bad.toString());
        Cli.Result verbose = new Cli(home).run("plan", bad.toString(), "--verbose");

        assertThat(quiet.exit()).isEqualTo(2);
        assertThat(quiet.err()).doesNotContain("\tat ").contains("services");
        assertThat(verbose.exit()).isEqualTo(2);
        assertThat(verbose.err()).contains("\tat org.codeengine.");
    }

    @Test
    void theStore_comesFromTheFlag_thenTheEnvironment_thenConfigYaml_thenTheHomeFolder() throws Exception {
        assertThat(store(new Cli(home))).isEqualTo(h2(home.resolve("code-db")));
        Files.writeString(home.resolve("config.yaml"), "store: from-config\n");
        assertThat(store(new Cli(home))).isEqualTo(h2(home.resolve("from-config")));
        assertThat(store(new Cli(home).env("CODE_STORE", "from-env"))).isEqualTo(h2(home.resolve("from-env")));
        assertThat(store(new Cli(home).env("CODE_STORE", "from-env"), "--store", "from-flag")).isEqualTo(h2(home
                .resolve("from-flag")));
    }

    /** {@return the URL of an H2 file store as the app opens it: closed by the app, not by H2 when the JVM exits} */
    private static String h2(Path file) {
        return "jdbc:h2:file:" + file + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    private static String store(Cli cli, String... flags) {
        List<String> args = new ArrayList<>(List.of("plugins", "--json"));
        args.addAll(List.of(flags));
        Cli.Result r = cli.run(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.all()).isZero();
        return r.json().path("store").asString();
    }

    @Test
    void aConfigYamlWithAnUnknownKey_orAWrittenOutPassword_exitsTwo_namingIt() throws Exception {
        Files.writeString(home.resolve("config.yaml"), "stroe: x\n");
        Cli.Result unknown = new Cli(home).run("status");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown key(s) [stroe]");

        Files.writeString(home.resolve("config.yaml"), "storeUser: app\nstorePassword: hunter2hunter2\n");
        Cli.Result literal = new Cli(home).run("status");
        assertThat(literal.exit()).isEqualTo(2);
        assertThat(literal.err()).contains("env:NAME").doesNotContain("hunter2");
    }

    @Test
    void plugins_listsWhatWasFound_andTheChosenStoreProvider() {
        Cli.Result r = new Cli(home).run("plugins");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).containsPattern("StoreProvider\\s+h2 .*chosen for jdbc:h2:file:").containsPattern(
                "ExpertProvider\\s+replay").containsPattern("StepExecutor\\s+process")
                .containsPattern("StepExecutor\\s+docker").containsPattern("StepExecutor\\s+kubernetes")
                .containsPattern(
                        "HealthProbe\\s+http");
    }

    @Test
    void colours_andTheLiveBoard_onlyOnATerminal_withoutNoColor() {
        Io piped = io(Map.of(), false);
        Io terminal = io(Map.of(), true);
        Io noColor = io(Map.of("NO_COLOR", "1"), true);

        assertThat(new Output(piped, false, false).green("x")).isEqualTo("x");
        assertThat(new Output(terminal, false, false).green("x")).isEqualTo("\u001b[32mx\u001b[0m");
        assertThat(new Output(terminal, false, false).live()).isTrue();
        assertThat(new Output(terminal, true, false).live()).isFalse();
        assertThat(new Output(terminal, false, true).live()).isFalse();
        assertThat(new Output(noColor, false, false).green("x")).isEqualTo("x");
        assertThat(new Output(noColor, false, false).live()).isFalse();
    }

    @Test
    void aPipedCommand_printsNoEscapeCodes() {
        Cli.Result r = new Cli(home).run("plugins");
        assertThat(r.out()).doesNotContain("\u001b[");
        Cli.Result t = new Cli(home).terminal(true).env("NO_COLOR", "1").run("plugins");
        assertThat(t.out()).doesNotContain("\u001b[");
    }

    private static Io io(Map<String, String> env, boolean terminal) {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new Io(sink, sink, System.in, env, terminal);
    }

    @Test
    void durations_readAsPeopleWriteThem() {
        assertThat(DurationConverter.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(DurationConverter.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThatThrownBy(() -> DurationConverter.parse("soon")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'soon'");
        assertThatThrownBy(() -> DurationConverter.parse("0s")).isInstanceOf(TypeConversionException.class);
        Cli.Result r = new Cli(home).run("deploy", "x.yaml", "--timeout", "forever");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("'forever' is not a duration");
    }

    @Test
    void theHomeFolder_keepsItsKeysOwnerOnly_andTheSameAcrossRuns() throws Exception {
        new Cli(home).run("audit", "verify");
        String first = Files.readString(home.resolve("keys/audit-ed25519"));
        new Cli(home).run("audit", "verify");

        assertThat(Files.readString(home.resolve("keys/audit-ed25519"))).isEqualTo(first);
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(
                "keys/master.key")))).isEqualTo("rw-------");
    }

    @Test
    void help_namesEveryVariableTheLauncherReads_asTheReadmeDoes() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("README.md")) || !Files.exists(root.resolve("code-core"))) {
            root = root.getParent();
        }
        java.util.regex.Matcher variables = java.util.regex.Pattern.compile("CODE_[A-Z_]+[A-Z]").matcher(Files
                .readString(root.resolve("code-examples/bin/code")));
        List<String> read = variables.results().map(java.util.regex.MatchResult::group).distinct().toList();
        String help = new Cli(home).run("--help").out();
        String readme = Files.readString(root.resolve("README.md"));

        assertThat(read).contains("CODE_PLUGINS", "CODE_VECTOR", "CODE_CDS", "CODE_HOME");
        assertThat(read).allSatisfy(v -> assertThat(help).as("code --help").contains(v));
        assertThat(read).allSatisfy(v -> assertThat(readme).as("README").contains("`" + v));
    }
}
