package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentEvent;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.api.security.AccessDecision;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries with backoff, their events and metrics, and the permission check in front of every call. */
class OrchestratorGuardsTest {
    static final CallContext CTX = new CallContext(new Principal("ops", Principal.Kind.USER, Set.of("deployer")), null,
            "t");

    @TempDir
    Path dir;

    static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort(); // closed again: nothing listens there
        }
    }

    @Test
    void aStepThatNeverTurnsHealthy_isRetriedWithBackoff_thenFails_andTheMetricsSaySo() throws IOException {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db"))).meterRegistry(
                meters).adoptOrphanedRuns(false).build()) {
            engine.security().defineRole("deployer", Set.of(Permission.parse("deploy:*:dev")), Set.of());
            ServiceSpec flaky = ServiceSpec.builder("flaky", "process").setting("command", "sleep 30").healthCheck(
                    HealthCheckSpec.of("tcp", Map.of("port", Integer.toString(closedPort()))).withTiming(Duration.ZERO,
                            Duration.ofMillis(20), 3))
                    .retry(new RetryPolicy(3, Duration.ofMillis(50), Duration
                            .ofMillis(200), 2, 0.5))
                    .build();
            List<DeploymentEvent> events = Collections.synchronizedList(new ArrayList<>());
            RunHandle run = engine.orchestrator().deploy(CTX, DeploymentSpec.of("one", "dev", List.of(flaky)));
            run.onEvent(events::add);

            assertThat(run.await(Duration.ofSeconds(60))).isEqualTo(RunState.ROLLED_BACK);
            StepRecord step = run.steps().getFirst();
            assertThat(step.state()).isEqualTo(StepState.FAILED);
            assertThat(step.attempt()).isEqualTo(3);
            assertThat(step.error()).contains("failed its health check 3 times in a row").contains("cannot connect");
            assertThat(RunExecution.instancesOf(step)).as("each failed try was undone").isEmpty();
            assertThat(events).filteredOn(DeploymentEvent.StepRetried.class::isInstance).extracting(
                    e -> ((DeploymentEvent.StepRetried) e).failedAttempt()).containsExactly(1, 2);
            assertThat(events).filteredOn(DeploymentEvent.StepRetried.class::isInstance).allSatisfy(e -> assertThat(
                    ((DeploymentEvent.StepRetried) e).delay()).isBetween(Duration.ofMillis(25),
                            Duration.ofMillis(
                                    200)));
            assertThat(events).filteredOn(DeploymentEvent.RunStateChanged.class::isInstance).extracting(
                    e -> ((DeploymentEvent.RunStateChanged) e).state()).containsExactly(RunState.RUNNING,
                            RunState.ROLLING_BACK, RunState.ROLLED_BACK);
            assertThat(meters.get("code.orchestrator.step.retries").tag("executor", "process").counter().count())
                    .isEqualTo(2);
            assertThat(meters.get("code.orchestrator.step.failures").counter().count()).isEqualTo(1);
            assertThat(meters.get("code.orchestrator.step").tag("outcome", "failed").timer().count()).isEqualTo(1);
            assertThat(meters.get("code.orchestrator.runs").tag("state", "rolled_back").counter().count())
                    .isEqualTo(1);
            assertThat(meters.get("code.orchestrator.runs.active").gauge().value()).isZero();
            assertThat(engine.security().audit(1, 10)).extracting(AuditEntry::action, AuditEntry::outcome)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("role:define", AuditEntry.Outcome.SUCCESS),
                            org.assertj.core.groups.Tuple.tuple("deploy:run:dev", AuditEntry.Outcome.FAILURE));
        }
    }

    @Test
    void everyCall_checksTheDeployPermissionOfItsEnvironment_andADenialStartsNothing() {
        List<Permission> asked = Collections.synchronizedList(new ArrayList<>());
        SecurityFacade onlyDev = new SecurityFacade() {
            @Override
            public Principal authenticate(Credentials credentials) {
                throw new UnsupportedOperationException();
            }

            @Override
            public AccessDecision check(Principal principal, Permission permission) {
                asked.add(permission);
                boolean dev = permission.instance().equals("dev");
                return new AccessDecision(dev, permission, dev ? "deployer" : null, dev
                        ? Permission.parse(
                                "deploy:*:dev")
                        : null, dev ? "deployer may deploy:*:dev" : "no role grants " + permission);
            }

            @Override
            public AccessDecision require(Principal principal, Permission permission) {
                AccessDecision decision = check(principal, permission);
                if (!decision.allowed()) {
                    throw new PolicyDeniedException(decision.reason(), null);
                }
                return decision;
            }

            @Override
            public List<AuditEntry> audit(long fromSequence, int limit) {
                return List.of();
            }
        };
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db"))).security(
                onlyDev).adoptOrphanedRuns(false).build()) {
            DeploymentSpec prod = DeploymentSpec.of("shop", "prod", List.of(ServiceSpec.builder("web", "process")
                    .setting("command", "touch " + dir.resolve("started")).build()));
            assertThatThrownBy(() -> engine.orchestrator().deploy(CTX, prod)).isInstanceOf(
                    PolicyDeniedException.class).hasMessage("no role grants deploy:run:prod");
            assertThatThrownBy(() -> engine.orchestrator().plan(CTX, prod)).isInstanceOf(
                    PolicyDeniedException.class);
            assertThat(dir.resolve("started")).doesNotExist();
            assertThat(asked).containsExactly(Permission.parse("deploy:run:prod"), Permission.parse(
                    "deploy:plan:prod"));

            DeploymentSpec dev = new DeploymentSpec("shop", "dev", prod.services(), 4, prod.capacity());
            assertThat(engine.orchestrator().plan(CTX, dev).phases()).containsExactly(List.of("web"));
        }
    }
}
