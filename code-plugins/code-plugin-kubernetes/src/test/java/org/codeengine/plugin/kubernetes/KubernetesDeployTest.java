package org.codeengine.plugin.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plans of Deployments deployed through the engine (which finds the executor by ServiceLoader, as a host does) onto a
 * simulated API server: fabric8's mock server in CRUD mode, with {@link DeploymentController} playing the Deployment
 * controller. No real cluster runs here; the README gives the command that runs the same plan on one.
 */
class KubernetesDeployTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "trace-kubernetes");
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    SimulatedCluster cluster;
    CodeEngine engine;

    @BeforeEach
    void open() throws IOException {
        cluster = SimulatedCluster.start(dir);
        engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("db/code-db"))).adoptOrphanedRuns(false)
                .build();
    }

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * The short form: image (and port, which adds a Service), on the simulated cluster's kubeconfig. The simulator
     * answers server-side apply's PATCH with 415, so these plans apply by create or replace.
     */
    ServiceSpec.Builder app(String name, String image, String... dependsOn) {
        return on(ServiceSpec.builder(name, "kubernetes").dependsOn(dependsOn).setting("image", image));
    }

    /** The settings that reach the simulated cluster, and a step timeout. */
    ServiceSpec.Builder on(ServiceSpec.Builder service) {
        return service.setting("kubeconfig", cluster.kubeconfig.toString()).setting("context",
                SimulatedCluster.CONTEXT).setting("apply", "replace").timeout(Duration.ofSeconds(20));
    }

    Deployment deployment(String name) {
        return cluster.client.apps().deployments().inNamespace(SimulatedCluster.NAMESPACE).withName(name).get();
    }

    Service service(String name) {
        return cluster.client.services().inNamespace(SimulatedCluster.NAMESPACE).withName(name).get();
    }

    static Map<String, StepRecord> steps(RunHandle run) {
        return run.steps().stream().collect(Collectors.toMap(StepRecord::service, s -> s));
    }

    @Test
    void deploy_appliesDeploymentsInDependencyOrder_waitsForTheirRollouts_andRollbackDeletesThem() {
        RunHandle run = engine.orchestrator().deploy(CTX, DeploymentSpec.of("shop", "dev", List.of(app("db",
                "registry.example.com/shop/db:16").build(), app("api", "registry.example.com/shop/api:1.4", "db")
                        .setting("port", "8080").setting("env.DB_URL", "postgres://db:5432/shop").instances(3)
                        .build())));

        assertThat(run.await(WAIT)).as("%s", run.steps()).isEqualTo(RunState.SUCCEEDED);
        assertThat(run.steps()).extracting(StepRecord::state).containsOnly(StepState.HEALTHY);
        Deployment api = deployment("api");
        assertThat(api.getSpec().getReplicas()).as("instances are replicas").isEqualTo(3);
        assertThat(api.getStatus().getAvailableReplicas()).isEqualTo(3);
        assertThat(api.getMetadata().getLabels()).containsEntry("code.run", run.runId()).containsEntry("code.service",
                "api").containsEntry("code.instance", "2");
        assertThat(api.getMetadata().getAnnotations()).containsEntry("code.run", run.runId());
        assertThat(api.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("DB_URL");
            assertThat(e.getValue()).isEqualTo("postgres://db:5432/shop");
        });
        assertThat(service("api").getSpec().getSelector()).containsEntry("app", "api");
        assertThat(service("db")).as("no port, no Service").isNull();
        assertThat(cluster.controller.seen("db")).first().satisfies(s -> assertThat(s.generation()).isPositive());
        assertThat(cluster.controller.seen("api")).extracting(DeploymentController.Seen::replicas).as(
                "one replica more per instance").containsExactly(1, 2, 3);
        assertThat(steps(run).get("api").outputs()).containsEntry("0.deployment", "api").containsEntry(
                "0.serviceCreated", "true").containsEntry("0.namespace", SimulatedCluster.NAMESPACE).containsKey(
                        "0.generation");

        assertThat(engine.orchestrator().rollback(CTX, run.runId()).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);

        assertThat(deployment("api")).isNull();
        assertThat(deployment("db")).isNull();
        assertThat(service("api")).isNull();
        assertThat(cluster.controller.creations("api")).isEqualTo(1);
        assertThat(cluster.controller.creations("db")).isEqualTo(1);
    }
}
