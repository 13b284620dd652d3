package org.codeengine.plugin.tools.infra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.codeengine.plugin.support.ToolKit;

/**
 * Runs a program the tools need (argv, never a shell) in a given folder with a given environment, its output capped,
 * and the whole process tree killed when the time is up or the calling thread is interrupted (a cancelled call).
 */
final class Processes {
    /**
     * @param exitCode the program's exit status
     * @param output stdout and stderr together, at most the cap
     * @param truncated whether the output passed the cap
     */
    record Outcome(int exitCode, String output, boolean truncated) {}

    private Processes() {}

    /** {@return the program's absolute path, searched on the PATH, if it is there} */
    static Optional<Path> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, program);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate.toAbsolutePath());
                }
            }
        }
        return Optional.empty();
    }

    static Outcome run(List<String> argv, Path dir, Map<String, String> env, Duration timeout, int cap) {
        ProcessBuilder builder = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw ToolKit.fail(argv.getFirst() + " could not be started: " + e.getMessage());
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        boolean[] truncated = {false};
        Thread reader = Thread.ofVirtual().start(() -> {
            try (InputStream in = process.getInputStream()) {
                byte[] buffer = new byte[8192];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    synchronized (output) {
                        int room = cap - output.size();
                        output.write(buffer, 0, Math.max(0, Math.min(room, n)));
                        truncated[0] |= n > room;
                    }
                }
            } catch (IOException e) {
                // the process was killed: what was read is kept
            }
        });
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw ToolKit.fail(argv.getFirst() + " ran longer than " + timeout.toSeconds()
                        + " s and was killed with its children");
            }
            reader.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw ToolKit.fail(argv.getFirst() + " was cancelled and killed with its children");
        }
        synchronized (output) {
            return new Outcome(process.exitValue(), output.toString(StandardCharsets.UTF_8), truncated[0]);
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }
}
