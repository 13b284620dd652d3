package org.codeengine.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.plugin.testkit.RecordingStepContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code DOCKER_TLS_VERIFY} and {@code DOCKER_CERT_PATH} as the Docker CLI reads them: a daemon of the test's own listens
 * on loopback TCP with {@code --tlsverify}, its certificates made by OpenSSL for the test; the executor starts and undoes
 * a container there with the client's certificate, and is refused without it or with another authority's.
 */
class DockerTlsTest {
    @TempDir
    Path dir;

    @Test
    void aDaemonThatVerifiesClients_isReachedOverTls_withAPkcs8OrAPkcs1Key_andRefusedOtherwise() throws Exception {
        TestDocker.daemon();
        Path pki = dir.resolve("pki");
        Files.createDirectories(pki);
        certificates(pki);
        Path certs = dir.resolve("certs");
        Files.createDirectories(certs);
        for (String file : List.of("ca.pem", "cert.pem", "key.pem")) {
            Files.copy(pki.resolve(file), certs.resolve(file));
        }
        String address = "tcp://127.0.0.1:" + DockerExecutorTest.freePort();
        Map<String, String> env = Map.of("DOCKER_HOST", address, "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", certs
                .toString());
        try (PrivateDaemon daemon = PrivateDaemon.start(dir.resolve("tls-dockerd"), List.of(address), List.of(
                "--tlsverify", "--tlscacert", pki.resolve("ca.pem").toString(), "--tlscert", pki.resolve(
                        "server-cert.pem").toString(),
                "--tlskey", pki.resolve("server-key.pem").toString()), env)) {
            TestDocker.image(daemon.client());
            DockerExecutor executor = new DockerExecutor(env);
            RecordingStepContext context = new DockerExecutorTest().context(Resources.NONE);
            int port = DockerExecutorTest.freePort();

            executor.start("web", DockerExecutorTest.web(port), context).awaitStarted(Duration.ofSeconds(10));
            DockerExecutorTest.awaitServing(port);
            executor.undo(context.stepRecord(), context);
            assertThat(TestDocker.containersOf(daemon.client(), context.runId())).isEmpty();

            // the key as older OpenSSL writes it
            Files.copy(pki.resolve("key-rsa.pem"), certs.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(certs.resolve("key.pem"), java.nio.file.attribute.FileTime.fromMillis(System
                    .currentTimeMillis() + 5000));
            new DockerClient(DockerHost.of(null, env)).ping();

            // plain TCP to a TLS daemon, and TLS that trusts another authority, fail saying where
            assertThatThrownBy(() -> new DockerClient(DockerHost.of(null, Map.of("DOCKER_HOST", address))).ping())
                    .isInstanceOf(org.codeengine.api.CodeException.class);
            Path other = dir.resolve("other");
            Files.createDirectories(other);
            certificates(other);
            Files.copy(pki.resolve("cert.pem"), other.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(pki.resolve("key.pem"), other.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
            assertThatThrownBy(() -> new DockerClient(DockerHost.of(null, Map.of("DOCKER_HOST", address,
                    "DOCKER_TLS_VERIFY", "1", "DOCKER_CERT_PATH", other.toString()))).ping()).isInstanceOf(
                            UnavailableException.class)
                    .hasMessageContaining(address + " (TLS) is not reachable");
        }
    }

    @Test
    void tlsWithoutItsFiles_isRefused_namingTheFolderAndTheFile() {
        assertThatThrownBy(() -> DockerHost.of("tcp://127.0.0.1:2376", Map.of("DOCKER_TLS_VERIFY", "1",
                "DOCKER_CERT_PATH", dir.toString()))).isInstanceOf(InvalidRequestException.class).hasMessageContaining(
                        dir.resolve("ca.pem") + " is missing or unreadable")
                .hasMessageContaining("DOCKER_CERT_PATH");
        assertThat(DockerHost.of("tcp://127.0.0.1:2376", Map.of("DOCKER_TLS_VERIFY", "0")).tls()).isNull();
        assertThat(DockerHost.of("unix:///var/run/docker.sock", Map.of("DOCKER_TLS_VERIFY", "1")).tls()).isNull();
    }

    /** A certificate authority, a server certificate for 127.0.0.1 and a client certificate, made by OpenSSL. */
    static void certificates(Path in) throws IOException, InterruptedException {
        Files.writeString(in.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "extendedKeyUsage=serverAuth\n");
        Files.writeString(in.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        openssl(in, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem",
                "-days", "2", "-subj", "/CN=code-test-ca");
        openssl(in, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server-key.pem", "-out", "server.csr",
                "-subj", "/CN=127.0.0.1");
        openssl(in, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", "server-cert.pem", "-days", "2", "-extfile", "server.ext");
        openssl(in, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "client.csr", "-subj",
                "/CN=code-test-client");
        openssl(in, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                "-out", "cert.pem", "-days", "2", "-extfile", "client.ext");
        openssl(in, "rsa", "-in", "key.pem", "-out", "key-rsa.pem", "-traditional");
    }

    private static void openssl(Path in, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
        }
    }
}
