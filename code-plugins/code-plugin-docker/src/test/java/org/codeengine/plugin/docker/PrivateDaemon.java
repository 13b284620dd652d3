package org.codeengine.plugin.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.CodeException;

/**
 * A Docker daemon of a test's own, on its own socket with its state under a temporary folder, started as
 * {@code scripts/start-docker} starts one (no bridge, no iptables), so the test can stop it under a running deployment
 * without touching the daemon other tests use. It needs root and dockerd; without them the test skips, or fails with
 * the reason when {@code CI=true}.
 */
final class PrivateDaemon implements AutoCloseable {
    private final Process process;
    private final DockerClient client;
    private final Path state;

    private PrivateDaemon(Process process, DockerClient client, Path state) {
        this.process = process;
        this.client = client;
        this.state = state;
    }

    static PrivateDaemon start(Path state) throws IOException {
        return start(state, List.of());
    }

    /**
     * @param state where the daemon keeps its socket, data, log and pid file
     * @param more further addresses it listens on ({@code tcp://127.0.0.1:port}); the tests speak to the first
     */
    static PrivateDaemon start(Path state, List<String> more) throws IOException {
        return start(state, more, List.of(), java.util.Map.of());
    }

    /**
     * @param flags more options for dockerd ({@code --tlsverify} and its files)
     * @param clientEnv the environment the test's client reads ({@code DOCKER_TLS_VERIFY}, {@code DOCKER_CERT_PATH})
     */
    static PrivateDaemon start(Path state, List<String> more, List<String> flags,
            java.util.Map<String, String> clientEnv)
            throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            TestDocker.unavailable("a daemon of the test's own needs root to start dockerd");
        }
        Files.createDirectories(state);
        Path socket = state.resolve("docker.sock");
        Path log = state.resolve("dockerd.log");
        Process process;
        try {
            List<String> command = new java.util.ArrayList<>(List.of("dockerd", "--bridge=none", "--iptables=false",
                    "--ip-masq=false", "--data-root", state.resolve("data").toString(), "--exec-root", state.resolve(
                            "exec").toString(),
                    "--pidfile", state.resolve("dockerd.pid").toString()));
            for (String address : more) {
                command.addAll(List.of("-H", address));
            }
            command.addAll(List.of("-H", "unix://" + socket));
            command.addAll(flags);
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            TestDocker.unavailable("dockerd cannot be started: " + e.getMessage());
            throw e;
        }
        DockerClient client = new DockerClient(DockerHost.of(more.isEmpty() ? "unix://" + socket : more.getFirst(),
                clientEnv));
        PrivateDaemon daemon = new PrivateDaemon(process, client, state);
        try {
            TestDocker.await("the test's own dockerd answers", () -> answers(client) || !process.isAlive(), Duration
                    .ofSeconds(30));
            if (!process.isAlive()) {
                TestDocker.unavailable("the test's own dockerd exited at once: " + Files.readString(log));
            }
        } catch (RuntimeException | Error e) {
            daemon.close();
            throw e;
        }
        return daemon;
    }

    private static boolean answers(DockerClient client) {
        try {
            client.ping();
            return true;
        } catch (CodeException e) {
            return false;
        }
    }

    DockerClient client() {
        return client;
    }

    String address() {
        return client.host().address();
    }

    /** Stops dockerd with SIGTERM, as a host's service manager would, and waits until it has exited. */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the daemon if it still runs, and unmounts the handle on the host's network namespace that dockerd mounts
     * under its exec root once a container used the host's network, and leaves there when it stops.
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
        Path netns = state.resolve("exec/netns/default");
        if (Files.exists(netns)) {
            try {
                new ProcessBuilder("umount", netns.toString()).redirectErrorStream(true).redirectOutput(
                        ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
            } catch (IOException e) {
                // the temporary folder's removal then says what is left
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
