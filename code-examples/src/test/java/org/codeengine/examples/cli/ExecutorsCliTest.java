package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code code plugins} and {@code code deploy} with the container executors: what {@code plugins} says when there is
 * no Docker daemon or no kubeconfig, and the Docker sample plan deployed, shown and rolled back on the real daemon.
 * The daemon is driven with the {@code docker} command a user has beside it; without a daemon these tests skip, or
 * fail with the reason when {@code CI=true}.
 */
class ExecutorsCliTest {
    /** The image the Docker sample plan names. */
    private static final String SAMPLE_IMAGE = "busybox:1.36";
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    @TempDir
    Path home;

    @Test
    void plugins_saysDockerIsUnavailable_whenNobodyListensOnItsSocket_andKubernetes_whenItsKubeconfigIsMissing(
            @TempDir Path dir) throws IOException {
        Path socket = dir.resolve("docker.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket)); // the socket file stays; nobody listens on it once closed
        }
        Path kubeconfig = dir.resolve("no-such-kubeconfig");

        Cli.Result r = new Cli(home).env("DOCKER_HOST", "unix://" + socket).env("KUBECONFIG", kubeconfig.toString())
                .run("plugins");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(line(r.out(), "docker")).contains("unavailable: the Docker daemon at unix://" + socket
                + " is not reachable").contains("start dockerd");
        assertThat(line(r.out(), "kubernetes")).contains("unavailable: no kubeconfig: KUBECONFIG names " + kubeconfig
                + ", which does not exist");
        assertThat(line(r.out(), "process")).doesNotContain("unavailable");

        Cli.Result json = new Cli(home).env("DOCKER_HOST", "unix://" + socket).env("KUBECONFIG", kubeconfig
                .toString()).run("plugins", "--json");
        assertThat(executor(json.json(), "docker").path("unavailable").asString()).contains("is not reachable");
    }

    @Test
    void plugins_saysNothingAgainstDocker_whenItsDaemonAnswers() {
        requireDaemon();
        Cli.Result r = new Cli(home).env("DOCKER_HOST", "unix:///var/run/docker.sock").run("plugins");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(line(r.out(), "docker")).doesNotContain("unavailable");
        Cli.Result json = new Cli(home).env("DOCKER_HOST", "unix:///var/run/docker.sock").run("plugins", "--json");
        assertThat(executor(json.json(), "docker").path("unavailable").isNull()).isTrue();
    }

    @Test
    void plugins_saysKubernetesIsUnavailable_whenItsKubeconfigHasNoCurrentContext(@TempDir Path dir)
            throws IOException {
        Path kubeconfig = Files.writeString(dir.resolve("config"), """
                apiVersion: v1
                kind: Config
                clusters: []
                contexts: []
                users: []
                """);

        Cli.Result r = new Cli(home).env("KUBECONFIG", kubeconfig.toString()).run("plugins");

        assertThat(line(r.out(), "kubernetes")).contains("unavailable: the kubeconfig " + kubeconfig
                + " has no current context").contains("kubectl config use-context");
    }

    @Test
    void deploy_ofTheDockerSample_onTheRealDaemon_succeeds_showsInStatus_andRollbackLeavesNoContainer()
            throws Exception {
        requireDaemon();
        boolean built = sampleImage();
        String runId = null;
        try {
            Cli cli = new Cli(home);
            Cli.Result deployed = cli.run("deploy", Path.of("plans/docker-shop.yaml").toAbsolutePath().toString(),
                    "--json");
            assertThat(deployed.exit()).as(deployed.all()).isZero();
            JsonNode run = deployed.json();
            runId = run.path("runId").asString();
            assertThat(run.path("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(containers(runId)).as("one running container per service").hasSize(3);

            Cli.Result list = cli.run("status");
            assertThat(list.exit()).as(list.all()).isZero();
            assertThat(list.out()).contains(runId).contains("docker-shop").contains("SUCCEEDED");
            Cli.Result status = cli.run("status", runId.substring(0, 8));
            assertThat(status.exit()).as(status.all()).isZero();
            assertThat(status.out()).contains("run " + runId).containsPattern("db\\s+healthy")
                    .containsPattern("api\\s+healthy").containsPattern("front\\s+healthy");

            Cli.Result rolledBack = cli.run("rollback", runId.substring(0, 8));
            assertThat(rolledBack.exit()).as(rolledBack.all()).isZero();
            assertThat(rolledBack.out()).containsPattern("front\\s+rolled back").containsPattern("run\\s+rolled back");
            assertThat(containers(runId)).as("containers of run " + runId + " after rollback").isEmpty();
        } finally {
            if (runId != null) {
                for (String id : containers(runId)) {
                    docker("rm", "-f", id);
                }
            }
            if (built) {
                docker("rmi", SAMPLE_IMAGE);
            }
        }
    }

    /** {@return the line {@code code plugins} prints for one step executor} */
    private static String line(String out, String executor) {
        return out.lines().filter(l -> l.matches("StepExecutor\\s+" + executor + "\\s.*")).findFirst().orElseThrow(
                () -> new AssertionError("no line for executor " + executor + " in:\n" + out));
    }

    private static JsonNode executor(JsonNode plugins, String name) {
        for (JsonNode p : plugins.path("plugins")) {
            if (p.path("kind").asString().equals("StepExecutor") && p.path("name").asString().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("no executor " + name + " in " + plugins);
    }

    /**
     * Gives the daemon the image the sample names, built offline FROM scratch with the host's static busybox, when it
     * does not have one already; nothing is pulled.
     *
     * @return whether this test built it, so that it removes it afterwards
     */
    private static boolean sampleImage() throws IOException {
        if (docker("image", "inspect", SAMPLE_IMAGE).exit() == 0) {
            return false;
        }
        Path context = Files.createTempDirectory("code-sample-image");
        try {
            Files.copy(BUSYBOX, context.resolve("busybox"));
            Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\n");
            Docker build = docker("build", "-q", "-t", SAMPLE_IMAGE, context.toString());
            assertThat(build.exit()).as(build.output()).isZero();
            return true;
        } finally {
            Files.deleteIfExists(context.resolve("busybox"));
            Files.deleteIfExists(context.resolve("Dockerfile"));
            Files.deleteIfExists(context);
        }
    }

    private static List<String> containers(String runId) {
        Docker ps = docker("ps", "-a", "-q", "--filter", "label=code.run=" + runId);
        assertThat(ps.exit()).as(ps.output()).isZero();
        return ps.output().lines().filter(l -> !l.isBlank()).toList();
    }

    /** Skips the calling test where no daemon answers or no image can be built offline; fails instead on CI. */
    private static void requireDaemon() {
        String why = null;
        if (docker("version").exit() != 0) {
            why = "no Docker daemon answers on /var/run/docker.sock (or DOCKER_HOST): start dockerd";
        } else if (!Files.isRegularFile(BUSYBOX)) {
            why = BUSYBOX + " is missing, so no image can be built offline: install Debian's busybox-static";
        }
        if (why != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }

    private record Docker(int exit, String output) {}

    /** Runs the docker command with this JVM's environment; a command missing or hanging fails as a non-zero exit. */
    private static Docker docker(String... args) {
        List<String> command = new ArrayList<>(List.of("docker"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DOCKER_BUILDKIT", "0"); // the classic builder: no buildx plugin needed
        try {
            Process p = builder.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Docker(-1, "docker " + String.join(" ", args) + " did not end within 60 s");
            }
            return new Docker(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Docker(-1, "docker cannot run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Docker(-1, "interrupted");
        }
    }
}
