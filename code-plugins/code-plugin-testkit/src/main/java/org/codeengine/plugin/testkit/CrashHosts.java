package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.codeengine.api.CallContext;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.Orchestrator;
import org.codeengine.api.orchestrator.RunHandle;

/**
 * What a crash-and-resume test of an executor needs on both sides of a kill: a host JVM (a {@code main} of the test's
 * own that builds an engine and deploys) started on the test's class path, its run's id read back, a SIGKILL, and a new
 * engine that resumes the run as soon as the killed host's lease on it has expired.
 *
 * <p>The child side: after {@code deploy}, the host calls {@link #reportRunThenWait}, which writes the run's id to the
 * run file, writes {@code finished} beside it if the run ends, and waits to be killed.
 */
public final class CrashHosts {
    private CrashHosts() {}

    /** {@return the test's class path, as surefire gives it (or the JVM's own)} */
    public static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path");
        return path != null && !path.isBlank() ? path : System.getProperty("java.class.path");
    }

    /**
     * Starts {@code main} in a JVM of its own, on the test's class path, its output going to {@code host.log} beside
     * {@code runFile}, and waits until it has written its run's id.
     *
     * @param main the host's class, whose {@code main} calls {@link #reportRunThenWait}
     * @param runFile where the host writes its run's id
     * @param within how long the host may take to begin its run
     * @param args the host's arguments
     * @return the host and its run's id
     * @throws IOException if the JVM cannot be started
     * @throws AssertionError if the host dies or does not begin its run in time
     */
    public static Host start(Class<?> main, Path runFile, Duration within, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", testClassPath(), main.getName()));
        command.addAll(List.of(args));
        Path log = runFile.resolveSibling("host.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Await.until("the host begins its run", () -> Files.exists(runFile) || !process.isAlive(), within);
        assertThat(process.isAlive()).as("host alive; its log: %s", log).isTrue();
        return new Host(process, read(runFile), log);
    }

    /**
     * A host JVM that has begun its run.
     *
     * @param process the JVM
     * @param runId its run's id
     * @param log where its output goes
     */
    public record Host(Process process, String runId, Path log) {
        /** Kills the host with SIGKILL (no shutdown hooks, no cleanup) and waits until it is dead. */
        public void kill() {
            process.destroyForcibly();
            Await.until("the host dies", () -> !process.isAlive(), Duration.ofSeconds(30));
        }

        /** {@return whether the host wrote {@code finished}: its run ended before it was killed} */
        public boolean finished() {
            return Files.exists(log.resolveSibling("finished"));
        }
    }

    /**
     * The host's side: writes the run's id to {@code runFile} (whole, by a rename), waits for the run to end and writes
     * its state to {@code finished} beside the run file, then waits to be killed.
     *
     * @param run the run the host deployed
     * @param runFile where the test reads the run's id
     * @throws IOException if a file cannot be written
     * @throws InterruptedException never, unless the host is interrupted instead of killed
     */
    public static void reportRunThenWait(RunHandle run, Path runFile) throws IOException, InterruptedException {
        Path partial = runFile.resolveSibling(runFile.getFileName() + ".tmp");
        Files.writeString(partial, run.runId());
        Files.move(partial, runFile);
        run.await(Duration.ofMinutes(5));
        Files.writeString(runFile.resolveSibling("finished"), run.state().name());
        new CountDownLatch(1).await(); // until killed
    }

    /**
     * Resumes a killed host's run as soon as its lease on it has expired.
     *
     * @param orchestrator the new engine's orchestrator
     * @param context who resumes
     * @param runId the killed host's run
     * @param within how long to try
     * @return the resumed run
     */
    public static RunHandle resumeOnceTheLeaseExpires(Orchestrator orchestrator, CallContext context, String runId,
            Duration within) {
        AtomicReference<RunHandle> run = new AtomicReference<>();
        Await.until("the killed host's lease expires", () -> {
            try {
                run.set(orchestrator.resume(context, runId));
                return true;
            } catch (UnavailableException held) {
                assertThat(held.getMessage()).contains("is held by");
                return false;
            }
        }, within);
        return run.get();
    }

    private static String read(Path runFile) throws IOException {
        return Files.readString(runFile).strip();
    }
}
