package org.codeengine.plugin.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.plugin.testkit.RecordingStepContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor's settings, checked before anything is applied, and where its starts go. */
class KubernetesExecutorTest {
    @TempDir
    Path dir;
    final KubernetesExecutor executor = new KubernetesExecutor();

    static Map<String, String> settings(String... pairs) {
        Map<String, String> settings = new HashMap<>();
        for (int k = 0; k < pairs.length; k += 2) {
            settings.put(pairs[k], pairs[k + 1]);
        }
        return settings;
    }

    void rejects(Map<String, String> settings, String... message) {
        assertThatThrownBy(() -> executor.validate(settings)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContainingAll(message);
    }

    @Test
    void validate_acceptsTheShortFormAndAManifest() {
        executor.validate(settings("image", "registry.example.com/shop/web:1.4", "port", "8080", "env.MODE", "prod",
                "namespace", "shop", "slots", "true"));
        executor.validate(settings("manifest", KubernetesDeployTest.manifest("web", "web:1", true), "slots", "true"));
    }

    @Test
    void validate_namesTheSettingAndTheRule_forEachBadInput() throws IOException {
        rejects(settings("image", "Shop Web"), "setting 'image' must be an image reference", "'Shop Web'");
        rejects(settings("image", "web:1", "port", "70000"), "setting 'port' must be a port from 1 to 65535",
                "'70000'");
        rejects(settings("image", "web:1", "replicas", "3"), "unknown setting 'replicas'");
        rejects(settings(), "exactly one of the settings 'manifest', 'manifestFile' and 'image'", "none is");
        rejects(settings("image", "web:1", "manifest", "{}"), "exactly one of", "2 are");
        rejects(settings("image", "web:1", "slots", "yes"), "setting 'slots' must be true or false but is 'yes'");
        rejects(settings("image", "web:1", "slots", "true"), "setting 'slots' is true but there is no Service");
        rejects(settings("image", "web:1", "apply", "merge"), "setting 'apply' must be server-side or replace");
        rejects(settings("image", "web:1", "namespace", "Shop_NS"), "setting 'namespace' must be a Kubernetes name");
        rejects(settings("image", "web:1", "env.1X", "a"), "setting 'env.1X' must name an environment variable");
        rejects(settings("manifest", "kind: ConfigMap\napiVersion: v1\nmetadata: {name: c}\n"),
                "setting 'manifest' holds no Deployment", "[ConfigMap]");
        rejects(settings("manifest", KubernetesDeployTest.manifest("web", "web:1", true)
                + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"), "setting 'manifest' may hold one"
                        + " Deployment and at most one Service",
                "[Deployment, Service, ConfigMap]");
        rejects(settings("manifest", KubernetesDeployTest.manifest("web", "Web Server", false)),
                "container 'web' must have an image reference", "'Web Server'");
        rejects(settings("manifest", "{ not yaml"), "setting 'manifest' is not a Kubernetes manifest");
        rejects(settings("manifestFile", dir.resolve("missing.yaml").toString()), "setting 'manifestFile' names",
                "cannot be read");
        rejects(settings("image", "web:1", "kubeconfig", dir.resolve("nope").toString()),
                "setting 'kubeconfig' names", "which is not a file");
        Path kubeconfig = SimulatedCluster.kubeconfig(dir.resolve("kubeconfig"), "https://127.0.0.1:6443");
        rejects(settings("image", "web:1", "kubeconfig", kubeconfig.toString(), "context", "prod"),
                "setting 'context' names 'prod', which is not a context of", "its contexts are [sim]");
    }

    @Test
    void validate_readsAManifestFile() throws IOException {
        Path file = Files.writeString(dir.resolve("web.yaml"), KubernetesDeployTest.manifest("web", "web:1", false));
        executor.validate(settings("manifestFile", file.toString()));
    }

    @Test
    void target_isTheApiServerAndTheNamespace_soEachClusterHasItsOwnBreaker() throws IOException {
        Path a = SimulatedCluster.kubeconfig(dir.resolve("a"), "https://10.0.0.1:6443");
        Path b = SimulatedCluster.kubeconfig(dir.resolve("b"), "https://10.0.0.2:6443/");

        assertThat(executor.target(settings("image", "web:1", "kubeconfig", a.toString()))).isEqualTo(
                "https://10.0.0.1:6443/namespaces/shop");
        assertThat(executor.target(settings("image", "web:1", "kubeconfig", b.toString(), "namespace", "prod")))
                .isEqualTo("https://10.0.0.2:6443/namespaces/prod");
    }

    @Test
    void start_failsSayingTheApiServerCannotBeReached_whenNothingListens() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path kubeconfig = SimulatedCluster.kubeconfig(dir.resolve("dead"), "http://127.0.0.1:" + port);

        assertThatThrownBy(() -> executor.start("web", settings("image", "web:1", "kubeconfig", kubeconfig
                .toString()), context())).isInstanceOf(UnavailableException.class).hasMessageStartingWith(
                        "service 'web': the Kubernetes API server cannot be reached at http://127.0.0.1:" + port
                                + " (context current; is the cluster up?)");
    }

    @Test
    void alive_reattachesToTheRunsDeployment_whenTheEngineWasKilledBetweenTheApplyAndTheRecordOfItsGeneration()
            throws IOException {
        try (SimulatedCluster cluster = SimulatedCluster.start(dir)) {
            RecordingStepContext context = context();
            executor.start("web", settings("image", "web:1", "kubeconfig", cluster.kubeconfig.toString(), "apply",
                    "replace"), context);
            Map<String, String> recorded = new HashMap<>(context.recorded());
            assertThat(recorded).containsKeys("deployment", "generation", "uid");
            recorded.remove("generation");
            recorded.remove("uid");
            StepRecord record = new StepRecord("run-1", "web", StepState.STARTING, 1, null, null, recorded, null);

            assertThat(executor.alive(record)).as("the run's annotation makes it this run's").isTrue();
            cluster.client.apps().deployments().inNamespace(SimulatedCluster.NAMESPACE).withName("web").edit(d -> {
                d.getMetadata().getAnnotations().put("code.run", "another-run");
                return d;
            });
            assertThat(executor.alive(record)).as("another run's Deployment is not re-attached").isFalse();
        }
    }

    /** A context of instance 0 of service web in run run-1, slot blue, that keeps what is recorded. */
    RecordingStepContext context() {
        return new RecordingStepContext("run-1", dir.resolve("logs"));
    }
}
