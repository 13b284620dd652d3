package org.codeengine.plugin.tools.command;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One run of a program and everything it starts. On Linux the program starts in a session and process group of its
 * own ({@code setsid}, exec'd in place, so the group's id is the child's pid); ending the run signals the whole group,
 * which reaches a grandchild whose parent already died, and then every descendant the JDK still sees.
 */
final class ProcessTree {
    private static final int SIGKILL = 9;
    private static final @Nullable Path SETSID = find("setsid");
    private static final @Nullable MethodHandle KILL = kill();

    /** How a run ended. */
    enum End {
        EXITED, TIMED_OUT, CANCELLED
    }

    /**
     * @param end how it ended
     * @param exitCode the exit code, or -1 when it did not exit by itself
     * @param stdout what it wrote on standard output, up to the cap
     * @param stderr what it wrote on standard error, up to the cap
     * @param truncated whether output beyond the cap was dropped
     */
    record Outcome(End end, int exitCode, String stdout, String stderr, boolean truncated) {}

    private ProcessTree() {}

    /** {@return whether a run's whole process group can be signalled here} */
    static boolean groupKill() {
        return SETSID != null && KILL != null;
    }

    private static @Nullable Path find(String name) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @SuppressWarnings("restricted") // kill(2) only; without native access the JDK's descendants() walk remains
    private static @Nullable MethodHandle kill() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find("kill").orElseThrow(), FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        } catch (RuntimeException | Error e) {
            return null;
        }
    }

    /**
     * Runs the program to its end, its timeout, or the calling thread's interruption.
     *
     * @param argv the program's absolute path and its arguments, passed as they are
     * @param cwd the working directory
     * @param env the whole environment the program gets
     * @param timeoutMillis how long it may run, in milliseconds
     * @param maxOutput the most bytes kept of each of standard output and standard error
     */
    static Outcome run(List<String> argv, Path cwd, Map<String, String> env, long timeoutMillis, int maxOutput)
            throws IOException {
        List<String> command = new ArrayList<>();
        if (groupKill()) {
            command.add(SETSID.toString());
        }
        command.addAll(argv);
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile()).redirectInput(
                ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        Capped out = new Capped(process.getInputStream(), maxOutput);
        Capped err = new Capped(process.getErrorStream(), maxOutput);
        Thread outReader = Thread.ofVirtual().start(out);
        Thread errReader = Thread.ofVirtual().start(err);
        End end;
        try {
            end = process.waitFor(timeoutMillis, TimeUnit.MILLISECONDS) ? End.EXITED : End.TIMED_OUT;
        } catch (InterruptedException e) {
            end = End.CANCELLED;
        }
        // on timeout, on cancellation, and after a normal exit: whatever the program left running goes with it
        destroy(process);
        boolean interrupted = end == End.CANCELLED;
        try {
            outReader.join(5_000);
            errReader.join(5_000);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return new Outcome(end, end == End.EXITED ? process.exitValue() : -1, out.text(), err.text(), out.truncated
                || err.truncated);
    }

    /**
     * Kills the process's group, then every descendant still visible, then the process itself, leaving its pipes open
     * for the readers to finish.
     */
    static void destroy(Process process) {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (groupKill()) {
            try {
                int ignored = (int) KILL.invokeExact(-(int) process.pid(), SIGKILL);
            } catch (Throwable t) {
                // the group is gone already
            }
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        // through its handle: Process.destroyForcibly also closes the pipes, and output the readers had not taken
        // yet (an echo that exited a moment ago) would be lost
        process.toHandle().destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Reads a stream to its end, keeping the first {@code max} bytes. */
    private static final class Capped implements Runnable {
        private final InputStream in;
        private final int max;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        volatile boolean truncated;

        Capped(InputStream in, int max) {
            this.in = in;
            this.max = max;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    synchronized (kept) {
                        int room = max - kept.size();
                        kept.write(buffer, 0, Math.max(0, Math.min(room, n)));
                        if (n > room) {
                            truncated = true;
                        }
                    }
                }
            } catch (IOException e) {
                // the process was killed and its pipe closed
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
