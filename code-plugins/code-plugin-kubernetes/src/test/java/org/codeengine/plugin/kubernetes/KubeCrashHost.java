package org.codeengine.plugin.kubernetes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.CrashHosts;

/**
 * The engine's JVM that {@link KubernetesResumeTest} kills with SIGKILL: it deploys {@link #plan} with an H2 file
 * store, writes the run's id to a file, then waits to be killed. Arguments: the store's path, the run file, the
 * kubeconfig.
 */
public final class KubeCrashHost {
    static final Duration LEASE = Duration.ofSeconds(2);

    private KubeCrashHost() {}

    /** db, then api (two replicas, a Service) that needs db. */
    static DeploymentSpec plan(Path kubeconfig) {
        return DeploymentSpec.of("crash", "dev", List.of(service("db", kubeconfig).build(), service("api", kubeconfig)
                .dependsOn("db").setting("port", "8080").instances(2).build()));
    }

    private static ServiceSpec.Builder service(String name, Path kubeconfig) {
        return ServiceSpec.builder(name, "kubernetes").setting("image", "registry.example.com/shop/" + name + ":1")
                .setting("kubeconfig", kubeconfig.toString()).setting("context", SimulatedCluster.CONTEXT).setting(
                        "apply", "replace")
                .timeout(Duration.ofSeconds(60));
    }

    public static void main(String[] args) throws Exception {
        CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(Path.of(args[0]))).runLease(LEASE)
                .adoptOrphanedRuns(false).build();
        RunHandle run = engine.orchestrator().deploy(KubernetesDeployTest.CTX, plan(Path.of(args[2])));
        CrashHosts.reportRunThenWait(run, Path.of(args[1]));
    }
}
