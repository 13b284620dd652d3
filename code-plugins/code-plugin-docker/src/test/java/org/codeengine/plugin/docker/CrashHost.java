package org.codeengine.plugin.docker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.CrashHosts;

/**
 * The host JVM that {@link DockerCrashResumeTest} kills with SIGKILL: it deploys {@link #plan()} with an H2 file store,
 * writes the run's id to a file, then waits to be killed. Arguments: the store's path, the run file.
 */
public final class CrashHost {
    static final Duration LEASE = Duration.ofSeconds(2);

    private CrashHost() {}

    /** db, api (needs db) and front (needs api); each waits a second before its first probe, so a deploy lasts 3 s. */
    static DeploymentSpec plan() {
        return DeploymentSpec.of("crash", "dev", List.of(slow("db"), slow("api", "db"), slow("front", "api")));
    }

    private static org.codeengine.api.orchestrator.ServiceSpec slow(String name, String... dependsOn) {
        return DockerDeployTest.web(name, dependsOn).healthCheck(HealthCheckSpec.http(
                "http://127.0.0.1:${port}/health").withTiming(Duration.ofSeconds(1), Duration.ofMillis(100), 100))
                .build();
    }

    public static void main(String[] args) throws Exception {
        CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(Path.of(args[0]))).runLease(LEASE)
                .adoptOrphanedRuns(false).build();
        RunHandle run = engine.orchestrator().deploy(DockerDeployTest.CTX, plan());
        CrashHosts.reportRunThenWait(run, Path.of(args[1]));
    }
}
