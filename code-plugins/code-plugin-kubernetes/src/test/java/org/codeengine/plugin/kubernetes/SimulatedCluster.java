package org.codeengine.plugin.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.function.BooleanSupplier;

/**
 * A simulated Kubernetes API server: fabric8's mock server in CRUD mode (it stores, lists, watches and patches objects
 * as the API server does, but runs no controllers), on 127.0.0.1, with {@link DeploymentController} playing the
 * Deployment controller, and a kubeconfig file whose context {@code sim} (namespace {@code shop}) points at it.
 */
final class SimulatedCluster implements AutoCloseable {
    static final String CONTEXT = "sim";
    static final String NAMESPACE = "shop";

    final KubernetesMockServer server;
    final KubernetesClient client;
    final Path kubeconfig;
    final DeploymentController controller;

    private SimulatedCluster(KubernetesMockServer server, KubernetesClient client, Path kubeconfig,
            DeploymentController controller) {
        this.server = server;
        this.client = client;
        this.kubeconfig = kubeconfig;
        this.controller = controller;
    }

    static SimulatedCluster start(Path dir) throws IOException {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        Path kubeconfig = kubeconfig(dir.resolve("kubeconfig"), "http://127.0.0.1:" + server.getPort());
        KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(CONTEXT, kubeconfig
                .toFile())).withHttpClientFactory(new JdkHttpClientFactory()).build();
        return new SimulatedCluster(server, client, kubeconfig, DeploymentController.start(client, NAMESPACE));
    }

    /** Writes a kubeconfig whose one context, {@code sim}, reaches {@code server} in namespace {@code shop}. */
    static Path kubeconfig(Path file, String server) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        return Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: sim
                  cluster:
                    server: %s
                contexts:
                - name: sim
                  context:
                    cluster: sim
                    namespace: shop
                    user: tester
                current-context: sim
                users:
                - name: tester
                  user:
                    token: simulated
                """.formatted(server));
    }

    /** Polls {@code condition} until it holds, failing with {@code what} after {@code timeout}. */
    static void await(String what, BooleanSupplier condition, Duration timeout) {
        org.codeengine.plugin.testkit.Await.until(what, condition, timeout);
    }

    @Override
    public void close() {
        controller.close();
        client.close();
        server.destroy();
    }
}
