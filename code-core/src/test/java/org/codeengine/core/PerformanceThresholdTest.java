package org.codeengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.events.EventBus;
import org.codeengine.api.events.PerformanceThreshold;
import org.codeengine.api.events.PerformanceThreshold.Measure;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.security.Principal;
import org.junit.jupiter.api.Test;

/**
 * A deploy-failure-rate threshold, checked against the meters of real deploys (child processes): silent while too few
 * deploys ended or the rate is at the limit, one {@code performance.threshold_exceeded} event through the engine's
 * events once it goes above, and no second one while it stays there.
 */
class PerformanceThresholdTest {
    private static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of(
            "admin")), null, "thresholds-1");
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static DeploymentSpec deploy(String name, boolean healthy) {
        return DeploymentSpec.of(name, "dev", List.of(ServiceSpec.builder("web", "process").setting("command",
                "sleep 60").setting("stopGrace", "1s").retry(RetryPolicy.NONE).healthCheck(HealthCheckSpec.of(
                        "command", Map.of("command", healthy ? "true" : "false")).withTiming(Duration.ZERO,
                                Duration
                                        .ofMillis(20),
                                1))
                .build()));
    }

    private static void deployOnce(CodeEngine engine, boolean healthy) {
        RunHandle run = engine.orchestrator().deploy(CTX, deploy(healthy ? "good" : "bad", healthy));
        RunState ended = run.await(WAIT);
        if (healthy) {
            assertThat(ended).isEqualTo(RunState.SUCCEEDED);
            // a rollback asked for afterwards stops the service; it is no deploy and must not count as a failed one
            assertThat(engine.orchestrator().rollback(CTX, run.runId()).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        } else {
            assertThat(ended).isIn(RunState.ROLLED_BACK, RunState.FAILED);
        }
    }

    @Test
    void aDeployFailureRate_emitsOneEvent_whenItGoesAboveItsLimit_andStaysSilentBelow() {
        PerformanceThreshold threshold = new PerformanceThreshold("deploys", Measure.DEPLOY_FAILURE_RATE, 0.5, Duration
                .ofHours(1), 2);
        List<CloudEvent> seen = new CopyOnWriteArrayList<>();
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("thresholds" + UUID.randomUUID()
                .toString().replace("-", ""))).adoptOrphanedRuns(false).thresholds(List.of(threshold), Duration.ZERO)
                .build()) {
            EventBus.Subscription subscription = engine.events().subscribe(CTX, "org.codeengine.performance.*",
                    seen::add);
            deployOnce(engine, true);
            assertThat(engine.checkThresholds()).as("one deploy is below the minimum count").isEmpty();
            deployOnce(engine, false);
            assertThat(engine.checkThresholds()).as("1 of 2 failed: at the limit, not above").isEmpty();

            deployOnce(engine, false);
            List<CloudEvent> fired = engine.checkThresholds();
            assertThat(fired).singleElement().satisfies(e -> {
                assertThat(e.type()).isEqualTo(CloudEvent.PERFORMANCE_THRESHOLD_EXCEEDED);
                assertThat(e.subject()).isEqualTo("deploys");
                assertThat(e.data()).containsEntry("threshold", "deploys").containsEntry("measure",
                        "deploy_failure_rate").containsEntry("limit", "0.5").containsEntry("count", "3");
                assertThat(Double.parseDouble(e.data().get("value"))).isCloseTo(2.0 / 3, org.assertj.core.api.Assertions
                        .within(1e-9));
            });
            assertThat(engine.checkThresholds()).as("still above: it fired when it crossed").isEmpty();

            long deadline = System.nanoTime() + WAIT.toNanos();
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(10_000_000); // poll the relay's delivery, up to the deadline
            }
            subscription.close();
            assertThat(seen).extracting(CloudEvent::id).containsExactly(fired.getFirst().id());
            assertThat(engine.events().history(CTX, null, CloudEvent.PERFORMANCE_THRESHOLD_EXCEEDED, 10)).hasSize(1);
            assertThat(engine.meterRegistry().get("code.alerts.exceeded").tag("threshold", "deploys").counter()
                    .count()).isEqualTo(1);
        }
    }

    @Test
    void aThreshold_refusesBadInput_namingTheField() {
        assertThatThrownBy(() -> new PerformanceThreshold("Deploys!", Measure.DEPLOY_FAILURE_RATE, 0.5, Duration
                .ofMinutes(1), 1)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("name");
        assertThatThrownBy(() -> new PerformanceThreshold("rate", Measure.PROVIDER_ERROR_RATE, 1.5, Duration
                .ofMinutes(1), 1)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("limit");
        assertThatThrownBy(() -> new PerformanceThreshold("slow", Measure.EXPERT_LATENCY_P99, 0, Duration.ofMinutes(
                1), 1)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("limit");
        assertThatThrownBy(() -> new PerformanceThreshold("rate", Measure.PROVIDER_ERROR_RATE, 0.1, Duration.ZERO, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("window");
        assertThatThrownBy(() -> new PerformanceThreshold("rate", Measure.PROVIDER_ERROR_RATE, 0.1, Duration
                .ofMinutes(1), 0)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(
                        "minimumCount");
        PerformanceThreshold one = new PerformanceThreshold("a", Measure.PROVIDER_ERROR_RATE, 0.1, Duration.ofMinutes(
                1), 1);
        assertThatThrownBy(() -> CodeEngine.builder().thresholds(List.of(one, one), Duration.ZERO)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("distinct names");
    }
}
