package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Runs the packaged app the way a user does, through {@code bin/code} and the jar with its {@code lib/} folder, after
 * {@code package} (this class runs in the {@code integration-test} phase). No provider key reaches it.
 */
class PackagedAppTest {
    private static final Path LAUNCHER = Path.of("bin/code").toAbsolutePath();
    private static final Path JAVA_HOME = Path.of(ProcessHandle.current().info().command().orElseThrow())
            .getParent().getParent();
    private static final String INCUBATOR = "Using incubator modules";

    @TempDir
    Path home;

    @TempDir
    Path elsewhere;

    private record Run(int exit, String output, Set<Long> descendants) {}

    private Run code(Path launcher, String... args) throws Exception {
        return code(false, launcher, args);
    }

    /** @param posix whether to run in the POSIX locale (no LANG, no LC_*), as service managers and containers do */
    private Run code(boolean posix, Path launcher, String... args) throws Exception {
        return code(Map.of(), posix, launcher, args);
    }

    /** @param extra environment variables to set after the test's own (CODE_CDS=on brings the archive back) */
    private Run code(Map<String, String> extra, boolean posix, Path launcher, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(elsewhere.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.endsWith("_API_KEY") || k.startsWith("CODE_") || k.equals("OLLAMA_MODEL")
                || k.equals("NO_COLOR") || (posix && (k.equals("LANG") || k.startsWith("LC_"))));
        env.put("CODE_HOME", home.toString());
        env.put("CODE_CDS", "off"); // no class-data archive written in the background into a home the test deletes
        env.put("JAVA_HOME", JAVA_HOME.toString());
        env.putAll(extra);
        Process process = builder.start();
        Set<Long> seen = new ConcurrentSkipListSet<>();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        // every process the app starts, as long as it is the app's descendant (services end up re-parented once the
        // app exits, so they are recorded while it runs)
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (!process.waitFor(50, TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(p -> seen.add(p.pid()));
            if (System.nanoTime() > deadline) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("code " + String.join(" ", args) + " did not end within 4 minutes");
            }
        }
        String text = output.get(30, TimeUnit.SECONDS);
        return new Run(process.exitValue(), text, seen);
    }

    @Test
    void demo_onAnEmptyHome_deploysRollsBackAsksAndVerifies_andLeavesNoProcessBehind() throws Exception {
        assertThat(home).isEmptyDirectory();

        // as a new user runs it: the first command trains the AOT cache in the background, which is none of the
        // demo's processes (it was its child once, and the demo failed: "1 left running")
        Run run = code(Map.of("CODE_CDS", "on"), false, LAUNCHER, "demo");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("1/4 deploy a stack of four services").containsPattern("web\\s+healthy")
                .containsPattern("run\\s+succeeded").contains("GET web → web v1 ok");
        assertThat(run.output()).containsPattern("reports\\s+health failing").containsPattern("worker\\s+rolled back")
                .containsPattern("run\\s+rolled back").contains("demo-reports ROLLED_BACK");
        assertThat(run.output()).contains("ask the circle of experts recorded replies of 5 models").containsPattern(
                "answer \\S+ +agreement \\d+% +confidence \\d+%").contains("dissent ");
        assertThat(run.output()).containsPattern("audit log: \\d+ entries, \\d+ signed checkpoints, intact").contains(
                "processes  8 started, 0 left running");
        assertThat(run.output()).doesNotContain("Exception in thread").doesNotContain("\tat ");

        Set<Long> started = new java.util.TreeSet<>();
        Matcher m = Pattern.compile("started process (\\d+)").matcher(run.output());
        while (m.find()) {
            started.add(Long.parseLong(m.group(1)));
        }
        assertThat(started).hasSize(8);
        assertThat(run.descendants()).as("the services were seen running as the app's descendants").isNotEmpty();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (!aotCacheDone(home.resolve("cache"))) { // it writes into the home the test deletes
            assertThat(System.nanoTime()).as("the AOT cache was written within 4 minutes").isLessThan(deadline);
            Thread.sleep(200);
        }
        Set<Long> all = new java.util.TreeSet<>(started);
        all.addAll(run.descendants());
        assertThat(all).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as(
                "process " + pid).isEmpty());
        assertThat(home.resolve("code-db.mv.db")).exists();
    }

    @Test
    void plan_ofABadPlan_exitsTwo_namingTheCulprit_throughALinkOnThePath() throws Exception {
        Path link = elsewhere.resolve("bin/code");
        Files.createDirectories(link.getParent());
        Files.createSymbolicLink(link, LAUNCHER);
        Files.writeString(elsewhere.resolve("bad.yaml"), """
                name: shop
                environment: dev
                services:
                  - {name: web, executor: process, dependsOn: [nosuchdb], settings: {command: "sleep 1"}}
                """);

        Run run = code(link, "plan", "bad.yaml");

        assertThat(run.exit()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains("error: ").contains("nosuchdb").contains("hint: ").doesNotContain("\tat ");
    }

    @Test
    void plan_inThePosixLocale_showsFileNamesAndValuesAsWritten() throws Exception {
        Files.writeString(elsewhere.resolve("café-ünï.yaml"), """
                name: café
                environment: dev
                services:
                  - {name: web, executor: process, settings: {command: "sleep 1"}}
                """);

        Run run = code(true, LAUNCHER, "plan", "café-ünï.yaml");

        assertThat(run.exit()).as(run.output()).isEqualTo(2);
        assertThat(run.output()).contains("error: café-ünï.yaml: the deployment: name must match").contains(
                "but was 'café'").doesNotContain("?").doesNotContain("\uFFFD");
    }

    @Test
    void deploy_stoppedBySigterm_cancelsAndUndoesItsRun_leavingNoProcess() throws Exception {
        Path pids = elsewhere.resolve("pids");
        Files.writeString(elsewhere.resolve("slow.yaml"), Cli.neverHealthy(2, pids));
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "deploy", "slow.yaml").directory(elsewhere
                .toFile()).redirectErrorStream(true);
        builder.environment().put("CODE_HOME", home.toString());
        builder.environment().put("CODE_CDS", "off");
        builder.environment().put("JAVA_HOME", Path.of(ProcessHandle.current().info().command().orElseThrow())
                .getParent().getParent().toString());
        Process app = builder.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(app.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while ((!Files.exists(pids) || Files.readAllLines(pids).size() < 2) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
            assertThat(started).hasSize(2);

            app.toHandle().destroy(); // SIGTERM, as a service manager would stop it (keeps its output open)
            assertThat(app.waitFor(2, TimeUnit.MINUTES)).isTrue();

            assertThat(output.get(30, TimeUnit.SECONDS)).contains("interrupted: cancelling run").containsPattern(
                    "run \\S+ ended CANCELLED");
            assertThat(started).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                    .as("process " + pid).isEmpty());
        } finally {
            app.descendants().forEach(ProcessHandle::destroyForcibly);
            app.destroyForcibly();
        }
    }

    @Test
    void jsonOutput_parses() throws Exception {
        Run plugins = code(LAUNCHER, "plugins", "--json");
        assertThat(plugins.exit()).as(plugins.output()).isZero();
        JsonNode json = Output.JSON.readTree(jsonPart(plugins.output()));
        assertThat(json.path("storeProvider").asString()).isEqualTo("h2");
        assertThat(json.path("plugins").size()).isGreaterThanOrEqualTo(8);

        Run status = code(LAUNCHER, "status", "--json");
        assertThat(status.exit()).as(status.output()).isZero();
        assertThat(Output.JSON.readTree(jsonPart(status.output())).path("runs").isArray()).isTrue();
    }

    @Test
    void mcpCall_throughAStdioServeOfTheApp_reachesCodesFaces_andReportsToolErrors() throws Exception {
        String server = LAUNCHER + " mcp serve --stdio";
        Run audit = code(LAUNCHER, "mcp", "call", server, "audit_verify", "--json");
        assertThat(audit.exit()).as(audit.output()).isZero();
        JsonNode result = Output.JSON.readTree(jsonPart(audit.output()));
        assertThat(result.path("isError").asBoolean()).isFalse();
        assertThat(result.path("structuredContent").path("intact").asBoolean()).isTrue();

        Run plan = code(LAUNCHER, "mcp", "call", server, "code_plan", "--args",
                "{\"plan\": \"name: shop\\nenvironment: dev\\nservices:\\n  - name: web\\n    executor: nosuch\\n\"}");
        assertThat(plan.exit()).as(plan.output()).isEqualTo(1);
        assertThat(plan.output()).contains("nosuch");

        Run bad = code(LAUNCHER, "mcp", "call", server, "code_status", "--args", "[1]");
        assertThat(bad.exit()).as(bad.output()).isEqualTo(2);
        assertThat(bad.output()).contains("--args must be a JSON object");
    }

    @Test
    void mcpServe_namesItsSessionLimits_andRefusesOnesThatBreakTheRules() throws Exception {
        Run help = code(LAUNCHER, "mcp", "serve", "--help");
        assertThat(help.output()).contains("--max-sessions-per-source").contains("--handshake-timeout").contains(
                "--session-idle");
        Run bad = code(LAUNCHER, "mcp", "serve", "--http", "--port", "0", "--max-sessions", "2",
                "--max-sessions-per-source", "3");
        assertThat(bad.exit()).as(bad.output()).isEqualTo(2);
        assertThat(bad.output()).contains("--max-sessions-per-source must be between 1 and --max-sessions (2), not 3");
    }

    @Test
    void mcpServe_runsOnTheOptimisingJitAndG1InASizedHeap() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(LAUNCHER.toString(), "mcp", "serve", "--http", "--port", "0")
                .directory(elsewhere.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("CODE_"));
        builder.environment().put("CODE_HOME", home.toString());
        builder.environment().put("CODE_CDS", "off");
        builder.environment().put("JAVA_HOME", Path.of(ProcessHandle.current().info().command().orElseThrow())
                .getParent().getParent().toString());
        Process app = builder.start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(app
                .getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("serving MCP at"));
            assertThat(line).as("mcp serve started").isNotNull();
            // the launcher execs the JVM, which keeps its process id
            List<String> jvm = List.of(Files.readString(Path.of("/proc", Long.toString(app.pid()), "cmdline"))
                    .split("\0"));
            assertThat(jvm).contains("-XX:+UseG1GC", "-Xmx256m").doesNotContain("-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC");
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
            app.destroyForcibly();
        }
    }

    @Test
    void theIncubatorWarning_isLeftOut_whereTheNativeKernelsServe_andComesBackWithTheVectorApi() throws Exception {
        for (String command : List.of("status", "plugins", "roles")) {
            Run run = code(LAUNCHER, command, command.equals("roles") ? "list" : "--json");
            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.output()).as(command).doesNotContain(INCUBATOR).doesNotContain("step aside").doesNotContain(
                    "WARNING");
        }
        Run ask = code(LAUNCHER, "ask", "--experts", "nosuch:model", "x");
        assertThat(ask.output()).as("native kernels serve this platform").doesNotContain(INCUBATOR);

        Run vector = code(Map.of("CODE_VECTOR", "on"), false, LAUNCHER, "plugins", "--json");
        assertThat(vector.exit()).as(vector.output()).isZero();
        assertThat(vector.output()).contains(INCUBATOR);
        JsonNode plugins = Output.JSON.readTree(jsonPart(vector.output())).path("plugins");
        assertThat(plugins.valueStream().filter(p -> p.path("name").asString().equals("vector")).findFirst())
                .hasValueSatisfying(p -> assertThat(p.path("status").asString()).isEqualTo("LOADED"));
    }

    @Test
    void aPluginJar_inTheHomesPluginsFolder_orNamedByCodePlugins_isFound() throws Exception {
        Path jar = pingProbePlugin(elsewhere.resolve("build"));
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        Files.copy(jar, plugins.resolve(jar.getFileName()));

        Run run = code(LAUNCHER, "plugins", "--json");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(probes(run)).contains("ping");

        Files.delete(plugins.resolve(jar.getFileName()));
        assertThat(probes(code(LAUNCHER, "plugins", "--json"))).doesNotContain("ping");
        Run named = code(Map.of("CODE_PLUGINS", jar.getParent().toString()), false, LAUNCHER, "plugins", "--json");
        assertThat(probes(named)).contains("ping");
    }

    private static List<String> probes(Run run) {
        assertThat(run.exit()).as(run.output()).isZero();
        return Output.JSON.readTree(jsonPart(run.output())).path("plugins").valueStream().filter(p -> p.path("kind")
                .asString().equals("HealthProbe") && !p.path("status").asString().equals("FAILED")).map(p -> p.path(
                        "name").asString())
                .toList();
    }

    /**
     * Builds a third party's plugin as its author would, with the JDK's javac and jar against code-api alone: a health
     * probe named {@code ping}, registered in META-INF/services, in a jar without a module-info (an automatic module).
     */
    private static Path pingProbePlugin(Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src/com/example/ping"));
        Files.writeString(src.resolve("PingProbe.java"), """
                package com.example.ping;

                import java.time.Duration;
                import java.util.Map;
                import org.codeengine.api.spi.HealthProbe;
                import org.codeengine.api.spi.ProbeResult;

                public final class PingProbe implements HealthProbe {
                    @Override public String name() { return "ping"; }
                    @Override public String apiVersion() { return "1.0"; }
                    @Override public ProbeResult probe(Map<String, String> settings, Duration timeout) {
                        return new ProbeResult(true, "pong", Duration.ZERO);
                    }
                }
                """);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.createDirectories(classes.resolve("META-INF/services"));
        Files.writeString(classes.resolve("META-INF/services/org.codeengine.api.spi.HealthProbe"),
                "com.example.ping.PingProbe\n");
        Path api;
        try (var libs = Files.list(Path.of("target/lib"))) {
            api = libs.filter(f -> f.getFileName().toString().startsWith("code-api-")).findFirst().orElseThrow();
        }
        Path jar = Files.createDirectories(dir.resolve("dist")).resolve("ping-probe-1.0.jar");
        for (List<String> command : List.of(
                List.of(JAVA_HOME.resolve("bin/javac").toString(), "-d", classes.toString(), "-cp", api.toString(),
                        src.resolve("PingProbe.java").toString()),
                List.of(JAVA_HOME.resolve("bin/jar").toString(), "--create", "--file", jar.toString(), "-C", classes
                        .toString(), "."))) {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(p.exitValue()).as(output).isZero();
        }
        return jar;
    }

    @Test
    void helpAndVersion_arePrintedFromWhatTheAppKeptTheFirstTime() throws Exception {
        Map<String, String> cds = Map.of("CODE_CDS", "on");
        Run first = code(cds, false, LAUNCHER, "--help");
        assertThat(first.exit()).as(first.output()).isZero();
        assertThat(first.output()).startsWith("Usage: code ");
        Path kept;
        try (var files = Files.list(home.resolve("cache"))) {
            kept = files.filter(f -> f.getFileName().toString().endsWith("--help.pipe.txt")).findFirst().orElseThrow();
        }
        assertThat(Files.readString(kept)).isEqualTo(first.output());

        Files.writeString(kept, "kept text\n");
        Run second = code(cds, false, LAUNCHER, "--help");
        assertThat(second.exit()).isZero();
        assertThat(second.output()).as("no JVM started: the kept text was printed").isEqualTo("kept text\n");

        Run version = code(cds, false, LAUNCHER, "--version");
        assertThat(version.output()).contains("code ").contains("java " + Runtime.version().feature());
        assertThat(code(cds, false, LAUNCHER, "--version").output()).isEqualTo(version.output());
        try (var files = Files.list(home.resolve("cache"))) {
            assertThat(files.map(f -> f.getFileName().toString())).as("--help starts no training of the AOT cache")
                    .noneMatch(f -> f.contains(".aot"));
        }
    }

    @Test
    void theAotCache_trainedInTheBackground_servesTheCommandsThatFollow_andLeavesTheHomeAlone() throws Exception {
        Map<String, String> cds = Map.of("CODE_CDS", "on");
        // a command that opens no store starts the training, in the background, and runs without a cache itself
        assertThat(code(cds, false, LAUNCHER, "plugins").exit()).isZero();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        Path cache = home.resolve("cache");
        while (!aotCacheDone(cache)) {
            assertThat(System.nanoTime()).as("the AOT cache was written within 4 minutes").isLessThan(deadline);
            Thread.sleep(200);
        }
        try (var files = Files.list(home)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("the training had a home of its own")
                    .noneMatch(f -> f.startsWith("code-db"));
        }
        try (var files = Files.list(cache)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("what the training used is gone")
                    .allMatch(f -> f.endsWith(".aot"));
        }

        // an archive of the app's classes recorded from one command failed another here ("sealing violation")
        for (String[] command : new String[][]{{"status"}, {"agent", "roles"}, {"deploy", "--help"}}) {
            Run run = code(Map.of("CODE_CDS", "on", "CODE_JAVA_OPTS", "-Xlog:aot=info"), false, LAUNCHER, command);

            assertThat(run.exit()).as(run.output()).isZero();
            assertThat(run.output()).contains("Opened AOT cache").contains("full module graph: enabled")
                    .doesNotContain("sealing violation").doesNotContain("[error]");
        }
    }

    private static boolean aotCacheDone(Path cache) throws java.io.IOException {
        try (var files = Files.list(cache)) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            return names.stream().anyMatch(n -> n.endsWith(".aot")) && names.stream().noneMatch(n -> n.endsWith(
                    ".lock"));
        }
    }

    /** The JSON on standard output, without the JDK's line about the incubator module on standard error. */
    private static String jsonPart(String output) {
        return output.substring(output.indexOf('{'));
    }
}
