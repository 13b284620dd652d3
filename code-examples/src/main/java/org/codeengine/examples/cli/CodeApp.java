package org.codeengine.examples.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.CodeException;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.RateLimitedException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code code} command: the entry point that {@code bin/code} runs. Exit codes: 0 done, 1 the work failed, 2 the
 * command line (or a file it names) is wrong. Errors are one sentence and a hint; {@code --verbose} adds the stack
 * trace.
 */
public final class CodeApp {
    /** The work was done. */
    public static final int OK = 0;
    /** The work failed. */
    public static final int FAILURE = 1;
    /** The command line, or a file it names, is wrong. */
    public static final int USAGE = 2;

    private CodeApp() {}

    /** @param args the command line */
    public static void main(String[] args) {
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose") || java.util.Arrays.asList(args)
                .contains("-v");
        // before the first logger exists: the engine's log is for --verbose; without it, what goes wrong is told once,
        // as one sentence and a hint, not as the engine's warnings and their stack traces (hundreds of lines when
        // the store's disk is full)
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "off");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        String keep = System.getProperty(TEXT_CACHE);
        String train = System.getProperty(AotTraining.PROPERTY);
        if (train != null) {
            System.exit(AotTraining.run(Path.of(train)));
        }
        System.exit(keep == null ? run(args, Io.system()) : runKeepingOutput(args, Path.of(keep)));
    }

    /**
     * The system property {@code bin/code} sets on {@code code --help} and {@code code --version}: the file to keep
     * their output in, so that it prints them from there next time without starting a JVM. The file's name says the
     * app's build, the JDK and the kind of output (a pipe, or a terminal and its width).
     */
    static final String TEXT_CACHE = "code.text.cache";

    /** Runs one command line and, when it succeeds, keeps what it printed on standard output in {@code file}. */
    static int runKeepingOutput(String[] args, Path file) {
        Io system = Io.system();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        OutputStream both = new OutputStream() {
            @Override
            public void write(int b) {
                system.out().write(b);
                printed.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                system.out().write(b, off, len);
                printed.write(b, off, len);
            }

            @Override
            public void flush() {
                system.out().flush();
            }
        };
        int exit = run(args, new Io(new PrintStream(both, true, StandardCharsets.UTF_8), system.err(), system.in(),
                system.env(), system.terminal()));
        if (exit == OK) {
            try {
                Path partial = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid());
                Files.write(partial, printed.toByteArray());
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                // only a cache: the next run prints the text itself again
            }
        }
        return exit;
    }

    /**
     * Runs one command line.
     *
     * @param args the command line
     * @param io the streams and environment to use
     * @return the exit code
     */
    public static int run(String[] args, Io io) {
        return commandLine(io).execute(args);
    }

    /**
     * @param io the streams and environment to use
     * @return the command tree, wired to {@code io}, with the app's error handling
     */
    static CommandLine commandLine(Io io) {
        CodeCommand root = new CodeCommand(io);
        CommandLine cli = new CommandLine(root);
        cli.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setParameterExceptionHandler((ParameterException e, String[] args) -> {
            Output out = new Output(io, root.json || Arrays.asList(args).contains("--json"), root.noColor);
            String path = e.getCommandLine().getCommandSpec().qualifiedName();
            List<String> near = e instanceof UnmatchedArgumentException u ? u.getSuggestions() : List.of();
            out.error(sentence(e.getMessage()), near.isEmpty()
                    ? "see '" + path + " --help'"
                    : "did you mean " + String.join(" or ", near.stream().map(n -> "'" + path + " " + n + "'")
                            .toList()) + "? see '" + path + " --help'");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Output out = new Output(io, root.json, root.noColor);
            if (root.verbose) {
                e.printStackTrace(io.err());
            }
            out.error(sentence(message(e)), hint(e, root.verbose, commandLine.getCommandSpec().qualifiedName(" ")));
            return exitCode(e);
        });
        return cli;
    }

    static int exitCode(Throwable e) {
        return switch (e) {
            case CliException c -> c.exitCode();
            case InvalidRequestException x -> USAGE;
            case NotFoundException x -> USAGE;
            case ConfigurationException x -> USAGE;
            case IllegalArgumentException x -> USAGE;
            default -> FAILURE;
        };
    }

    private static String message(Throwable e) {
        if (e instanceof CliException || e instanceof CodeException || e instanceof IllegalArgumentException) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return "unexpected " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /**
     * @param e what went wrong
     * @param verbose whether the stack trace was printed
     * @param command the command that failed, such as {@code code users add}
     * @return what the user can do about it
     */
    static String hint(Throwable e, boolean verbose, String command) {
        String message = String.valueOf(e.getMessage());
        boolean plan = command.equals("code plan") || command.equals("code deploy");
        return switch (e) {
            case CliException c -> c.hint();
            case NotFoundException x when message.contains("run") -> "list the runs with 'code status'";
            case NotFoundException x -> "check the path or the name";
            case InvalidRequestException x when message.contains("no role is named") ->
                "see the roles with 'code roles list', or define one with 'code roles define NAME --grant ...'";
            case InvalidRequestException x when plan -> "fix what the message names; 'code plan FILE' checks a plan";
            case InvalidRequestException x -> "fix what the message names and run '" + command + "' again";
            case ConfigurationException x -> "check the flags, the environment and config.yaml in the home folder";
            case IllegalArgumentException x -> "fix the value the message names";
            case AuthenticationException x -> "check CODE_API_KEY, or unset it to act as the local admin";
            case PolicyDeniedException x -> "use an API key whose roles grant it (code keys create --role ...)";
            case DeadlineExceededException x -> "allow more time with --timeout";
            case RateLimitedException x -> "wait a moment and try again";
            case CodeException x when Causes.noSpaceLeft(x) ->
                "the disk that holds the store is full; free some space there and try again";
            case CodeException x when message.contains("already in use") || message.contains("file is locked") ->
                "another code process holds the embedded store; let it finish, or share a PostgreSQL store";
            case CodeException x -> "run again with --verbose for the engine's log";
            default -> verbose
                    ? "this is a bug; please report it with the stack trace above"
                    : "run again with --verbose for the stack trace";
        };
    }

    private static String sentence(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** {@return the app's jar, or its classes folder when it runs from a build's output} */
    static Path codeSource() {
        try {
            return Path.of(CodeApp.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toAbsolutePath();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("cannot tell where the app's classes are: " + e.getMessage(), e);
        }
    }

    /** {@return the {@code java} that runs this app, for the child JVMs it starts} */
    static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
    }

    /** {@return the folder the app's jar (or classes folder) is in} */
    static Path location() {
        return codeSource().getParent();
    }
}
