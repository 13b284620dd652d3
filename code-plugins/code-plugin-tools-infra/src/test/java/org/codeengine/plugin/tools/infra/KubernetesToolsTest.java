package org.codeengine.plugin.tools.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.support.JsonBodies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubernetes tools against fabric8's simulated API server on 127.0.0.1 (CRUD mode, plus one canned pod log), through
 * a kubeconfig whose context {@code sim} has namespace {@code shop}.
 */
class KubernetesToolsTest {
    private static final CallContext CALLER = new CallContext(new Principal("ann", Principal.Kind.USER, Set.of(
            "ops")), null, "t-k8s");
    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 2
              selector:
                matchLabels: {app: web}
              template:
                metadata:
                  labels: {app: web}
                spec:
                  containers:
                  - name: web
                    image: busybox
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: web-config
            data:
              mode: calm
            """;

    @TempDir
    Path home;
    private KubernetesMockServer server;
    private CodeEngine engine;
    private KubernetesClient cluster;

    @BeforeEach
    void start() throws IOException {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(
                responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        server.expect().get().withPath("/api/v1/namespaces/shop/pods/web-1/log?pretty=false&tailLines=5").andReturn(
                200, "started\nserving\n").always();
        cluster = server.createClient();
        KubernetesToolContractTest.kubeconfig(home.resolve("kubeconfig"), server.getPort());
        engine = CodeEngine.builder().store(StoreConfig.h2InMemory("k8s" + UUID.randomUUID().toString().replace("-",
                ""))).toolsHome(home).toolSettings("kubernetes", JsonBodies.object().put("kubeconfig", "kubeconfig")
                        .put("context", "sim"))
                .build();
        engine.security().defineRole("ops", Set.of(Permission.parse("tool:call:*")), Set.of());
    }

    @AfterEach
    void stop() {
        engine.close();
        cluster.close();
        server.destroy();
    }

    private ToolResult call(String tool, Object... pairs) {
        var args = JsonBodies.object();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] instanceof Integer n) {
                args.put((String) pairs[i], n);
            } else {
                args.put((String) pairs[i], (String) pairs[i + 1]);
            }
        }
        return engine.tools().call(CALLER, tool, args, question -> true);
    }

    @Test
    void applyGetRolloutLogs_inTheAllowedNamespace() {
        ToolResult unconfirmed = engine.tools().call(CALLER, "kubernetes_apply", JsonBodies.object().put("manifest",
                DEPLOYMENT));
        assertThat(unconfirmed.text()).contains("needs the caller's confirmation");
        ToolResult applied = call("kubernetes_apply", "manifest", DEPLOYMENT);
        assertThat(applied.error()).as(applied.text()).isFalse();
        assertThat(applied.structured().path("applied").toString()).contains("\"name\":\"web\"", "web-config",
                "\"namespace\":\"shop\"");
        assertThat(cluster.configMaps().inNamespace("shop").withName("web-config").get().getData()).containsEntry(
                "mode", "calm");

        ToolResult got = call("kubernetes_get", "kind", "Deployment", "name", "web");
        assertThat(got.structured().path("items").path(0).path("spec").path("replicas").asInt()).isEqualTo(2);

        ToolResult waiting = call("kubernetes_rollout_status", "deployment", "web");
        assertThat(waiting.structured().path("complete").asBoolean()).isFalse();
        assertThat(waiting.structured().path("message").asString())
                .isEqualTo("Waiting for deployment spec update to be observed...");
        Deployment d = cluster.apps().deployments().inNamespace("shop").withName("web").get();
        d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(2).withUpdatedReplicas(2).withAvailableReplicas(2).withReadyReplicas(2).build());
        cluster.apps().deployments().inNamespace("shop").resource(d).updateStatus();
        ToolResult done = call("kubernetes_rollout_status", "deployment", "web");
        assertThat(done.structured().path("message").asString()).isEqualTo(
                "deployment \"web\" successfully rolled out");

        ToolResult logs = call("kubernetes_logs", "pod", "web-1", "tail_lines", 5);
        assertThat(logs.error()).as(logs.text()).isFalse();
        assertThat(logs.structured().path("logs").asString()).isEqualTo("started\nserving\n");
    }

    @Test
    void otherNamespaces_clusterScopedKinds_andSecretValues_stayOutOfReach() {
        ToolResult elsewhere = call("kubernetes_apply", "manifest", DEPLOYMENT.replace("name: web\nspec",
                "name: web\n  namespace: kube-system\nspec"));
        assertThat(elsewhere.text()).contains("names namespace 'kube-system', which is not one the host allows"
                + " (shop)");
        ToolResult clusterWide = call("kubernetes_apply", "manifest", """
                apiVersion: rbac.authorization.k8s.io/v1
                kind: ClusterRoleBinding
                metadata: {name: everyone-admin}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
                subjects: [{kind: Group, name: system:authenticated, apiGroup: rbac.authorization.k8s.io}]
                """);
        assertThat(clusterWide.text()).contains("holds a ClusterRoleBinding, which lives outside any namespace");
        assertThat(cluster.apps().deployments().inAnyNamespace().list().getItems()).as("nothing applied")
                .isEmpty();
        assertThat(call("kubernetes_get", "kind", "Pod", "namespace", "kube-system").text()).contains(
                "argument 'namespace' names namespace 'kube-system'");

        cluster.secrets().inNamespace("shop").resource(new SecretBuilder().withNewMetadata().withName("db")
                .endMetadata().addToStringData("password", "hunter2-very-secret").build()).create();
        ToolResult secret = call("kubernetes_get", "kind", "Secret", "name", "db");
        assertThat(secret.error()).as(secret.text()).isFalse();
        assertThat(secret.text()).doesNotContain("hunter2-very-secret").doesNotContain("aHVudGVy").contains(
                "(redacted)");
    }
}
