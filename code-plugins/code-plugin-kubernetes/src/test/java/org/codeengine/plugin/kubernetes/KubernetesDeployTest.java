package org.codeengine.plugin.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentEvent;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.Rollout;
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

    /** A Deployment of {@code name} at {@code image}, and with {@code service} a Service selecting its pods. */
    static String manifest(String name, String image, boolean service) {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s
                  labels: {app: %1$s}
                spec:
                  progressDeadlineSeconds: 30
                  selector: {matchLabels: {app: %1$s}}
                  template:
                    metadata: {labels: {app: %1$s}}
                    spec:
                      containers:
                      - name: %1$s
                        image: %2$s
                        ports: [{containerPort: 8080}]
                """.formatted(name, image);
        return !service ? deployment : deployment + """
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: %1$s
                spec:
                  selector: {app: %1$s}
                  ports: [{port: 80, targetPort: 8080}]
                """.formatted(name);
    }

    ServiceSpec.Builder fromManifest(String name, String image, boolean service, String... dependsOn) {
        return on(ServiceSpec.builder(name, "kubernetes").dependsOn(dependsOn).setting("manifest", manifest(name,
                image, service)));
    }

    static String image(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
    }

    RunHandle deploy(ServiceSpec... services) {
        return engine.orchestrator().deploy(CTX, DeploymentSpec.of("shop", "dev", List.of(services)));
    }

    @Test
    void failedRollout_failsWithTheReasonKubernetesGives_andRollbackRestoresTheDeploymentThatWasThereBefore() {
        // what an earlier kubectl apply left: web 1.0 on two replicas
        cluster.client.apps().deployments().inNamespace(SimulatedCluster.NAMESPACE).resource(new DeploymentBuilder()
                .withNewMetadata().withName("web").addToLabels("app", "web").addToLabels("team", "shop").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .addNewContainer().withName("web").withImage("registry.example.com/shop/web:1.0").endContainer()
                .endSpec().endTemplate().endSpec().build()).create();
        SimulatedCluster.await("web 1.0 is available", () -> deployment("web").getStatus() != null && Integer.valueOf(
                2).equals(deployment("web").getStatus().getAvailableReplicas()), WAIT);
        String uid = deployment("web").getMetadata().getUid();

        RunHandle run = deploy(app("db", "registry.example.com/shop/db:16").build(), fromManifest("web",
                "registry.example.com/shop/web:broken", false, "db").instances(2).build());

        assertThat(run.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        Map<String, StepRecord> steps = steps(run);
        assertThat(steps.get("web").state()).isEqualTo(StepState.FAILED);
        // the health gate or the start's own check may see it first: either way Kubernetes' reason is quoted
        assertThat(steps.get("web").error()).contains("rollout failed: ProgressDeadlineExceeded: ReplicaSet"
                + " \"web-5d8f7c\" has timed out progressing.").contains("ImagePullBackOff");
        assertThat(steps.get("db").state()).isEqualTo(StepState.ROLLED_BACK);
        assertThat(deployment("db")).as("what the run created is deleted").isNull();
        Deployment web = deployment("web");
        assertThat(web).as("what was there before is restored, not deleted").isNotNull();
        assertThat(web.getMetadata().getUid()).isEqualTo(uid);
        assertThat(image(web)).isEqualTo("registry.example.com/shop/web:1.0");
        assertThat(web.getSpec().getReplicas()).isEqualTo(2);
        assertThat(web.getMetadata().getLabels()).containsEntry("team", "shop").doesNotContainKey("code.run");
        assertThat(web.getMetadata().getAnnotations()).doesNotContainKey("code.run");
    }

    ServiceSpec.Builder slotted(String image, Rollout rollout) {
        return fromManifest("web", image, true).setting("slots", "true").rollout(rollout);
    }

    @Test
    void blueGreen_putsTheNewDeploymentBesideTheOld_switchesTheServiceSelector_andKeepsTheOldServingOnFailure() {
        RunHandle first = deploy(slotted("registry.example.com/shop/web:1.0", Rollout.BLUE_GREEN).build());
        assertThat(first.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(service("web").getSpec().getSelector()).containsEntry("app", "web").containsEntry("code.slot",
                "blue");
        assertThat(deployment("web-blue").getSpec().getSelector().getMatchLabels()).containsEntry("code.slot", "blue");

        RunHandle second = deploy(slotted("registry.example.com/shop/web:2.0", Rollout.BLUE_GREEN).build());
        assertThat(second.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(service("web").getSpec().getSelector()).as("promote switched it").containsEntry("code.slot",
                "green");
        assertThat(image(deployment("web-green"))).isEqualTo("registry.example.com/shop/web:2.0");
        assertThat(deployment("web-blue")).as("the old slot, once the run succeeded").isNull();
        assertThat(steps(second).get("web").outputs()).containsEntry("0.servicePreviousSlot", "blue");

        RunHandle broken = deploy(slotted("registry.example.com/shop/web:broken", Rollout.BLUE_GREEN).build());
        assertThat(broken.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(steps(broken).get("web").error()).contains("ProgressDeadlineExceeded");
        assertThat(service("web").getSpec().getSelector()).as("never switched to the failed slot").containsEntry(
                "code.slot", "green");
        assertThat(image(deployment("web-green"))).isEqualTo("registry.example.com/shop/web:2.0");
        assertThat(deployment("web-blue")).as("the failed slot is deleted").isNull();
        assertThat(cluster.controller.creations("web-green")).isEqualTo(1);
    }

    @Test
    void canary_rollsOutOneReplicaOfTheNewVersionFirst_andAFailedCanaryNeverGrowsBeyondIt() {
        RunHandle first = deploy(slotted("registry.example.com/shop/web:1.0", Rollout.CANARY).instances(3).build());
        assertThat(first.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(deployment("web-blue").getStatus().getAvailableReplicas()).isEqualTo(3);

        RunHandle second = deploy(slotted("registry.example.com/shop/web:2.0", Rollout.CANARY).instances(3).build());
        assertThat(second.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(cluster.controller.seen("web-green")).extracting(DeploymentController.Seen::replicas)
                .containsExactly(1, 2, 3);
        assertThat(service("web").getSpec().getSelector()).containsEntry("code.slot", "green");

        RunHandle broken = deploy(slotted("registry.example.com/shop/web:broken", Rollout.CANARY).instances(3)
                .build());
        assertThat(broken.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(cluster.controller.seen("web-blue")).filteredOn(s -> s.image().endsWith(":broken")).extracting(
                DeploymentController.Seen::replicas).as("the broken version never got a second replica")
                .containsExactly(1);
        assertThat(service("web").getSpec().getSelector()).containsEntry("code.slot", "green");
        assertThat(deployment("web-green").getStatus().getAvailableReplicas()).as("the old version serves on")
                .isEqualTo(3);
        assertThat(deployment("web-blue")).isNull();
    }

    @Test
    void deadApiServer_failsItsServiceSayingWhichServer_andOpensTheBreakerOfThatClusterOnly() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path dead = SimulatedCluster.kubeconfig(dir.resolve("dead/kubeconfig"), "http://127.0.0.1:" + port);
        ServiceSpec edge = app("edge", "registry.example.com/shop/edge:1", "db").setting("kubeconfig", dead
                .toString()).retry(new RetryPolicy(7, Duration.ofMillis(20), Duration.ofMillis(50), 1.5, 0)).build();
        RunHandle run = engine.orchestrator().deploy(CTX, DeploymentSpec.of("shop", "dev", List.of(app("db",
                "registry.example.com/shop/db:16").build(), edge)));
        List<DeploymentEvent> events = Collections.synchronizedList(new ArrayList<>());
        run.onEvent(events::add);

        assertThat(run.await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        Map<String, StepRecord> steps = steps(run);
        assertThat(steps.get("edge").state()).isEqualTo(StepState.FAILED);
        assertThat(steps.get("edge").error()).isEqualTo("starts with executor 'kubernetes' at target 'http://127.0.0.1:"
                + port + "/namespaces/shop' failed too often; its circuit breaker is open for now");
        assertThat(events.stream().filter(e -> e instanceof DeploymentEvent.StepRetried).map(
                e -> ((DeploymentEvent.StepRetried) e).error())).first().asString().startsWith(
                        "service 'edge': the Kubernetes API server cannot be reached at http://127.0.0.1:" + port
                                + " (context 'sim'; is the cluster up?)");
        assertThat(deployment("db")).as("rolled back").isNull();

        // the breaker is the dead cluster's alone: the same engine still deploys on the live one
        RunHandle other = deploy(app("solo", "registry.example.com/shop/solo:1").build());
        assertThat(other.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        assertThat(deployment("solo").getStatus().getAvailableReplicas()).isEqualTo(1);
    }
}
