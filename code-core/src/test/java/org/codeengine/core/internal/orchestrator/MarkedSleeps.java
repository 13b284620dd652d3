package org.codeengine.core.internal.orchestrator;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.core.internal.executors.ProcessMarks;

/**
 * Trivial services ({@code sleep}) that carry a mark of one test in their environment, by which the test counts the
 * ones alive, whoever started them.
 */
final class MarkedSleeps {
    static final String MARK = "CODE_TEST_MARK";

    final String mark = UUID.randomUUID().toString();

    /**
     * @param instances how many sleeps
     * @param healthDelay how long the health check waits before it passes: how long the deployment takes at least
     * @return a plan of one service, {@code web}, of {@code instances} sleeps
     */
    DeploymentSpec plan(String name, int instances, Duration healthDelay) {
        return DeploymentSpec.of(name, "dev", List.of(service("web").instances(instances).healthCheck(HealthCheckSpec
                .of("command", Map.of("command", "true")).withTiming(healthDelay, Duration.ofMillis(100), 3))
                .build()));
    }

    /** {@return a service of one marked sleep, without a health check} */
    ServiceSpec.Builder service(String name) {
        return ServiceSpec.builder(name, "process").setting("command", "sleep 600").setting("env." + MARK, mark)
                .setting("stopGrace", "5s").retry(RetryPolicy.NONE);
    }

    /** {@return the marked processes alive now} */
    List<ProcessHandle> alive() {
        return ProcessMarks.find(Map.of(MARK, mark));
    }

    /** Kills whatever a failed test left behind. */
    void killAll() {
        alive().forEach(ProcessHandle::destroyForcibly);
    }
}
