package org.codeengine.benchmarks.containers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.spi.StepContext;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.plugin.docker.DockerExecutor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One container start on the local Docker daemon until it runs: by the {@code docker} executor ({@code code}: ping,
 * image check, name lookup, create with CODE's labels, record, start, inspect) against {@code docker run -d} of the
 * same image, name, labels and settings from the CLI ({@code cli}), the baseline a user would otherwise script. The
 * container is removed between operations, outside the measured time. The image is built offline once, from
 * {@code FROM scratch} and the host's static busybox.
 *
 * <p>Target (issue 17): {@code code} takes at most 1.10 times as long as {@code cli}. The machine limit is the
 * daemon's own create and start (containerd, runc, the mounts), which both sides pay.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 8, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class ContainerStartBenchmark {
    static final String IMAGE = "code-bench/busybox:1";

    @Param({"code", "cli"})
    String way;

    final StepExecutor executor = new DockerExecutor();
    String name;
    Context context;

    /** What the orchestrator would give the executor; records go nowhere. */
    record Context(String runId) implements StepContext {
        @Override
        public String service() {
            return "bench";
        }

        @Override
        public int instance() {
            return 0;
        }

        @Override
        public String slot() {
            return "blue";
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }

        @Override
        public void record(Map<String, String> outputs) {}

        @Override
        public Consumer<String> progress() {
            return message -> {
            };
        }

        @Override
        public Resources resources() {
            return Resources.NONE;
        }

        @Override
        public Path logFolder() {
            return Path.of(System.getProperty("java.io.tmpdir"), "code-bench-logs");
        }
    }

    @Setup(Level.Trial)
    public void image() throws IOException, InterruptedException {
        if (run(List.of("docker", "image", "inspect", IMAGE)) == 0) {
            return;
        }
        Path dir = Files.createTempDirectory("code-bench-image");
        Files.copy(Path.of("/bin/busybox"), dir.resolve("busybox"));
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT"
                + " [\"/bin/busybox\"]\n");
        ProcessBuilder build = new ProcessBuilder("docker", "build", "-q", "-t", IMAGE, dir.toString());
        build.environment().put("DOCKER_BUILDKIT", "0");
        if (build.inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException("building " + IMAGE + " failed");
        }
    }

    @Setup(Level.Invocation)
    public void name() {
        context = new Context("bench-" + UUID.randomUUID());
        name = "code-bench-blue-0-" + context.runId();
    }

    @TearDown(Level.Invocation)
    public void remove() throws IOException, InterruptedException {
        run(List.of("docker", "rm", "-f", name));
    }

    @Benchmark
    public void start() throws IOException, InterruptedException {
        if (way.equals("code")) {
            executor.start("bench", Map.of("image", IMAGE, "pull", "if-missing", "args", "sleep 3600", "network",
                    "none", "init", "true"), context).awaitStarted(Duration.ofSeconds(30));
        } else if (run(List.of("docker", "run", "-d", "--name", name, "--network", "none", "--init", "--restart", "no",
                "--stop-timeout", "10", "--label", "code.run=" + context.runId(), "--label", "code.service=bench",
                "--label", "code.instance=0", "--label", "code.slot=blue", IMAGE, "sleep", "3600")) != 0) {
            throw new IllegalStateException("docker run failed");
        }
    }

    private static int run(List<String> command) throws IOException, InterruptedException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().waitFor();
    }
}
