package org.codeengine.plugin.tools.infra;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.plugin.testkit.ToolProviderContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The kubernetes tools pass the kit every tool provider passes, against fabric8's simulated API server. */
class KubernetesToolContractTest extends ToolProviderContract {
    @TempDir
    Path home;
    KubernetesMockServer server;

    @BeforeEach
    void startTheApiServer() throws IOException {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        kubeconfig(home.resolve("kubeconfig"), server.getPort());
    }

    /** Writes a kubeconfig whose one context, {@code sim} (namespace {@code shop}), reaches the server on 127.0.0.1. */
    static void kubeconfig(Path file, int port) throws IOException {
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: sim
                  cluster:
                    server: http://127.0.0.1:%d
                contexts:
                - name: sim
                  context: {cluster: sim, namespace: shop, user: tester}
                current-context: sim
                users:
                - name: tester
                  user: {token: simulated}
                """.formatted(port));
    }

    @AfterEach
    void stopTheApiServer() {
        server.destroy();
    }

    @Override
    protected ToolProvider provider() {
        return new KubernetesToolProvider().configured(new ToolSettings(JSON.readTree("""
                {"kubeconfig": "kubeconfig", "context": "sim"}"""), ref -> {
            throw new NotFoundException("no secrets here", null);
        }, home));
    }

    @Override
    protected Map<String, JsonNode> sampleArguments() {
        return Map.of("kubernetes_get", JSON.readTree("{\"kind\": \"Deployment\", \"name\": \"web\", \"namespace\":"
                + " \"shop\"}"), "kubernetes_apply", JSON.readTree(
                        "{\"manifest\": \"kind: ConfigMap\\napiVersion:"
                                + " v1\\nmetadata: {name: web}\\n\", \"namespace\": \"shop\"}"),
                "kubernetes_logs", JSON
                        .readTree("{\"pod\": \"web-1\", \"container\": \"web\", \"tail_lines\": 5}"),
                "kubernetes_rollout_status", JSON.readTree("{\"deployment\": \"web\"}"));
    }

    /** A namespace the host did not allow: refused, as a result. */
    @Override
    protected Call failingCall() {
        return Call.of("kubernetes_get", "{\"kind\": \"Pod\", \"namespace\": \"kube-system\"}");
    }
}
