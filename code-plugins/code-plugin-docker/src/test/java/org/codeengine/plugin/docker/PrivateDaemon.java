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

    private PrivateDaemon(Process process, DockerClient client) {
        this.process = process;
        this.client = client;
    }

    static PrivateDaemon start(Path state) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            TestDocker.unavailable("a daemon of the test's own needs root to start dockerd");
        }
        Files.createDirectories(state);
        Path socket = state.resolve("docker.sock");
        Path log = state.resolve("dockerd.log");
        Process process;
        try {
            process = new ProcessBuilder(List.of("dockerd", "--bridge=none", "--iptables=false", "--ip-masq=false",
                    "-H", "unix://" + socket, "--data-root", state.resolve("data").toString(), "--exec-root", state
                            .resolve("exec").toString(),
                    "--pidfile", state.resolve("dockerd.pid").toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            TestDocker.unavailable("dockerd cannot be started: " + e.getMessage());
            throw e;
        }
        DockerClient client = new DockerClient(DockerHost.of("unix://" + socket, java.util.Map.of()));
        PrivateDaemon daemon = new PrivateDaemon(process, client);
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

    @Override
    public void close() {
        if (process.isAlive()) {
            stop();
        }
    }
}
