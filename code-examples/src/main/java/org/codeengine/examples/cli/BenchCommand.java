package org.codeengine.examples.cli;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;

/** {@code code bench}: runs the JMH suites (or a quick subset) and prints the results against their targets. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Run CODE's JMH benchmarks and print each result against the figure it is meant to reach.",
        "By default a quick subset (planner, permission checks, consensus) with short iterations: about a "
                + "minute, indicative only. --full runs the suites as they are written (an hour or more).",
        "Needs code-benchmarks/target/benchmarks.jar (built with the project), --jar, or 'benchmarks' in "
                + "config.yaml. Exits with 1 when a target is missed."}, footer = {"", "Examples:", "  code bench",
                        "  code bench --full 'Scheduling|AuditAppend'", "  code bench --json > bench.json"})
final class BenchCommand extends BaseCommand {
    static final String QUICK = "PlannerBenchmark|PermissionCheckBenchmark|ConsensusBenchmark";

    @Parameters(paramLabel = "REGEX", arity = "0..1", description = "Which benchmarks (JMH's regex; default: the "
            + "quick subset, or all with --full).")
    @Nullable
    String regex;

    @Option(names = "--full", description = "Use each suite's own warm-up and measurement (slow, for real figures).")
    boolean full;

    @Option(names = "--jar", paramLabel = "FILE", description = "The benchmarks jar.")
    @Nullable
    Path jar;

    @Override
    int run(Session session) {
        Path benchmarks = locate(session);
        Output out = session.out();
        Path dir = session.home().resolve("bench");
        Path results = dir.resolve("results.json");
        Path log = dir.resolve("jmh.log");
        List<String> command = new ArrayList<>(List.of(CodeApp.java(), "--add-modules", "jdk.incubator.vector",
                "-jar", benchmarks.toString()));
        command.add(regex != null ? regex : full ? ".*" : QUICK);
        if (!full) {
            command.addAll(List.of("-f", "1", "-wi", "1", "-w", "1s", "-i", "2", "-r", "1s"));
        }
        command.addAll(List.of("-rf", "json", "-rff", results.toString()));
        out.line("running " + (full ? "the full suites" : "a quick subset") + " of " + benchmarks + out.dim(
                "  (JMH's output: " + (root().verbose ? "below" : log.toString()) + ")"));
        int exit;
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(results);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(Redirect
                    .from(Path.of("/dev/null").toFile()));
            builder.redirectOutput(root().verbose ? Redirect.INHERIT : Redirect.to(log.toFile()));
            Process process = builder.start();
            try {
                exit = process.waitFor();
            } finally {
                process.destroy();
            }
        } catch (IOException e) {
            throw CliException.failure("cannot run the benchmarks: " + e.getMessage(), "check the jar " + benchmarks);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failure("interrupted", "run it again");
        }
        if (exit != 0 || !Files.isRegularFile(results)) {
            throw CliException.failure("JMH exited with " + exit + " and no results", "see " + log
                    + " (or run with --verbose)");
        }
        List<BenchTargets.Result> read;
        try {
            read = BenchTargets.read(Output.JSON.readTree(Files.readString(results)));
        } catch (IOException e) {
            throw CliException.failure("cannot read " + results + ": " + e.getMessage(), "run it again");
        }
        boolean allMet = read.stream().allMatch(BenchTargets.Result::met);
        if (out.json()) {
            ArrayNode array = Output.JSON.createArrayNode();
            for (BenchTargets.Result r : read) {
                array.addObject().put("benchmark", r.name()).put("score", r.score()).put("unit", r.unit()).put(
                        "target", r.target() == null ? null : r.target().what()).put("met",
                                r.target() == null
                                        ? null
                                        : r.met());
            }
            out.print(Output.object().put("quick", !full).put("allMet", allMet).set("results", array));
        } else {
            out.line(out.bold(String.format(Locale.ROOT, "%-58s %14s %-9s %s", "BENCHMARK", "RESULT", "UNIT",
                    "TARGET")));
            for (BenchTargets.Result r : read) {
                out.line(String.format(Locale.ROOT, "%-58s %14s %-9s ", Output.fit(r.name(), 58), BenchTargets.format(r
                        .score()), r.unit()) + (r.target() == null
                                ? out.dim("(no target of its own)")
                                : (r.met() ? out.green("met    ") : out.red("missed ")) + r.target().what()));
            }
            if (!full) {
                out.line(out.dim("quick runs are indicative; use --full for figures to quote"));
            }
        }
        return allMet ? CodeApp.OK : CodeApp.FAILURE;
    }

    private Path locate(Session session) {
        String given = jar != null
                ? jar.toString()
                : Session.first(session.io().env("CODE_BENCHMARKS_JAR"), session
                        .config().benchmarks());
        if (given != null) {
            Path path = Path.of(given);
            if (!Files.isRegularFile(path)) {
                throw CliException.usage("no benchmarks jar at " + path, "build it with 'mvn -pl code-benchmarks -am "
                        + "package -DskipTests', or point --jar at it");
            }
            return path;
        }
        for (Path dir = CodeApp.location(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("code-benchmarks/target/benchmarks.jar");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw CliException.usage("the benchmarks jar was not found beside the app",
                "build it with 'mvn -pl code-benchmarks -am package -DskipTests', or pass --jar FILE");
    }
}
