package org.codeengine.examples.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The work {@code bin/code} trains the app's ahead-of-time cache on (JDK 25's AOT cache: the classes of the JDK and of
 * the app's jars a run loads, loaded and linked ahead of time, and the resolved module graph). It runs in a JVM of its
 * own that {@code bin/code} starts in the background with {@code -XX:AOTMode=record}: the commands a user runs most,
 * one after the other, on a home of their own (a store of its own, made and migrated there) with nothing printed and
 * none of the user's environment, so the cache is the same whatever the user ran first and whatever store they use.
 */
final class AotTraining {
    /** The system property that names the throw-away home to train in; the app then runs the training alone. */
    static final String PROPERTY = "code.aot.train";

    /** The command lines trained on: the read-only ones a user runs most, in text and in JSON. */
    static final List<List<String>> COMMANDS = List.of(List.of("status"), List.of("status", "--json"), List.of(
            "agent", "roles"), List.of("roles", "list"), List.of("audit", "tail"), List.of("plugins"));

    private AotTraining() {}

    /**
     * Runs each training command line on {@code home}.
     *
     * @param home the throw-away home: its store, keys and configuration are the training's own
     * @return {@link CodeApp#OK}, or the exit code of the first command line that failed
     */
    static int run(Path home) {
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        Io quiet = new Io(nowhere, nowhere, InputStream.nullInputStream(), Map.of(), false);
        int exit = CodeApp.OK;
        for (List<String> command : COMMANDS) {
            List<String> args = new ArrayList<>(command);
            args.addAll(List.of("--home", home.toString()));
            int code = CodeApp.run(args.toArray(String[]::new), quiet);
            if (exit == CodeApp.OK) {
                exit = code;
            }
        }
        return exit;
    }
}
