package org.codeengine.examples.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What the app talks to: its streams, its environment and whether its output is a terminal. Tests pass their own.
 *
 * @param out standard output
 * @param err standard error
 * @param in standard input
 * @param env the environment variables
 * @param terminal whether standard output is an interactive terminal
 */
public record Io(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean terminal) {
    public Io {
        env = Map.copyOf(env);
    }

    /**
     * {@return the process's own streams and environment; the app writes UTF-8 whatever the locale says (the
     *         default, {@code stdout.encoding}, is ASCII in the POSIX locale and would print each letter beyond it
     *         as '?')}
     */
    public static Io system() {
        java.io.Console console = System.console();
        return new Io(new PrintStream(System.out, true, StandardCharsets.UTF_8), new PrintStream(System.err, true,
                StandardCharsets.UTF_8), System.in, System.getenv(), console != null && console.isTerminal());
    }

    /**
     * @param name an environment variable
     * @return its value, or null when it is unset or blank
     */
    public @org.jspecify.annotations.Nullable String env(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
