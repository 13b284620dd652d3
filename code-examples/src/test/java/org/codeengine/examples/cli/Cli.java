package org.codeengine.examples.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** Runs the app in this JVM against a home folder of a test's own, with streams and environment it controls. */
final class Cli {
    private final @Nullable Path home;
    private final Map<String, String> env = new HashMap<>();
    private String stdin = "";
    private boolean terminal;

    /** @param home the home folder, passed as {@code --home}; null for none, so the environment decides */
    Cli(@Nullable Path home) {
        this.home = home;
    }

    Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Cli stdin(String text) {
        this.stdin = text;
        return this;
    }

    Cli terminal(boolean value) {
        this.terminal = value;
        return this;
    }

    /** What one command line did. */
    record Result(int exit, String out, String err) {
        JsonNode json() {
            return Output.JSON.readTree(out);
        }

        String all() {
            return out + err;
        }
    }

    Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> line = new ArrayList<>(home == null ? List.of() : List.of("--home", home.toString()));
        line.addAll(List.of(args));
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = CodeApp.run(line.toArray(String[]::new), new Io(o, e, new ByteArrayInputStream(stdin.getBytes(
                    StandardCharsets.UTF_8)), env, terminal));
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * @param instances how many instances of its one service, {@code api}
     * @param pids the file each instance appends its process id to
     * @return a plan whose service starts but never turns healthy, so that its run goes on until stopped
     */
    static String neverHealthy(int instances, Path pids) {
        return """
                name: slow
                environment: dev
                services:
                  - name: api
                    executor: process
                    instances: %d
                    settings: {command: "sh -c 'echo $$ >> %s; exec sleep 120'", stopGrace: 5s}
                    health: {probe: command, settings: {command: "false"}, interval: 100ms, failureThreshold: 100000}
                    timeout: 10m
                """.formatted(instances, pids);
    }

    /** {@return the folder that holds shared/eval, above the working directory} */
    static Path evalDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (dir.resolve("shared/eval").resolve(EvalData.FILE).toFile().isFile()) {
                return dir.resolve("shared/eval");
            }
        }
        throw new AssertionError("shared/eval with " + EvalData.FILE + " must be in a folder above the project");
    }
}
