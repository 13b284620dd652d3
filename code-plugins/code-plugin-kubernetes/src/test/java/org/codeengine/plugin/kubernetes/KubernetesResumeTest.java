package org.codeengine.plugin.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.Await;
import org.codeengine.plugin.testkit.CrashHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine's JVM is killed with SIGKILL while a rollout is in progress on the simulated API server (the test
 * controller holds it), and a new engine resumes the run from the store: it re-attaches to what the killed one applied
 * and creates nothing twice.
 */
class KubernetesResumeTest {
    @TempDir
    Path dir;
    Process host;
    SimulatedCluster cluster;

    @AfterEach
    void cleanUp() {
        if (host != null) {
            host.destroyForcibly();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    Deployment deployment(String name) {
        return cluster.client.apps().deployments().inNamespace(SimulatedCluster.NAMESPACE).withName(name).get();
    }

    @ParameterizedTest(name = "killed during the rollout of {0}")
    @ValueSource(strings = {"db", "api"})
    void resume_afterTheEngineIsKilledMidRollout_finishesTheRun_andCreatesNothingTwice(String held)
            throws Exception {
        cluster = SimulatedCluster.start(dir);
        cluster.controller.hold(held);
        Path store = dir.resolve("db/code-db");
        String runId = startHost(store);
        int replicas = held.equals("api") ? 2 : 1;
        // every instance applied (and so recorded) before the kill: the orchestrator undoes and starts again a step
        // whose instances are only partly recorded, which for this executor deletes and re-creates its Deployment
        SimulatedCluster.await(held + " is applied for all its instances and its rollout held", () -> deployment(
                held) != null && deployment(held).getSpec().getReplicas() == replicas, KubernetesDeployTest.WAIT);
        String uid = deployment(held).getMetadata().getUid();
        host.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
        Await.until("the host dies", () -> !host.isAlive(), Duration.ofSeconds(30));
        assertThat(dir.resolve("finished")).as("killed before the deploy ended").doesNotExist();
        cluster.controller.release();

        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(store)).runLease(KubeCrashHost.LEASE)
                .adoptOrphanedRuns(false).build()) {
            RunHandle run = CrashHosts.resumeOnceTheLeaseExpires(engine.orchestrator(), KubernetesDeployTest.CTX,
                    runId, KubernetesDeployTest.WAIT);
            assertThat(run.await(KubernetesDeployTest.WAIT)).as("%s", run.steps()).isEqualTo(RunState.SUCCEEDED);
            assertThat(run.steps()).extracting(StepRecord::state).containsOnly(StepState.HEALTHY);
            assertThat(deployment(held).getMetadata().getUid()).as("re-attached, not re-created").isEqualTo(uid);
            for (String name : List.of("db", "api")) {
                assertThat(cluster.controller.creations(name)).as("creations of %s", name).isEqualTo(1);
                assertThat(deployment(name).getMetadata().getLabels()).containsEntry("code.run", runId);
            }
            assertThat(deployment("api").getStatus().getAvailableReplicas()).isEqualTo(2);

            assertThat(engine.orchestrator().rollback(KubernetesDeployTest.CTX, runId).await(
                    KubernetesDeployTest.WAIT)).isEqualTo(RunState.ROLLED_BACK);
            assertThat(deployment("db")).isNull();
            assertThat(deployment("api")).isNull();
            assertThat(cluster.client.services().inNamespace(SimulatedCluster.NAMESPACE).withName("api").get())
                    .isNull();
        }
    }

    /** Starts the engine's JVM on the plan; returns its run's id once it has begun. */
    String startHost(Path store) throws IOException {
        CrashHosts.Host started = CrashHosts.start(KubeCrashHost.class, dir.resolve("run"), Duration.ofSeconds(60),
                store.toString(), dir.resolve("run").toString(), cluster.kubeconfig.toString());
        host = started.process();
        return started.runId();
    }
}
