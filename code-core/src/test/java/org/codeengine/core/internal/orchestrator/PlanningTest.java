package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.CallContext;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.Plan;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.orchestrator.Rollout;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.DeploymentSpecs;
import org.codeengine.core.internal.executors.CommandProbe;
import org.codeengine.core.internal.executors.HttpProbe;
import org.codeengine.core.internal.executors.ProcessExecutor;
import org.codeengine.core.internal.executors.TcpProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Planning: phases, the dry-run output, and a precise error for each kind of bad plan. */
class PlanningTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "t");
    final Planner planner = new Planner(Map.of("process", new ProcessExecutor()), Map.of("http", new HttpProbe(),
            "tcp", new TcpProbe(), "command", new CommandProbe()));

    static ServiceSpec.Builder svc(String name, String... deps) {
        return ServiceSpec.builder(name, "process").setting("command", "sleep 60").dependsOn(deps);
    }

    @Test
    void plan_ordersServicesInLayers_cutByParallelismAndCapacity() {
        Resources core = new Resources(1000, 0);
        DeploymentSpec spec = new DeploymentSpec("shop", "dev", List.of(svc("web", "api").build(), svc("api", "db",
                "cache").build(), svc("db").resources(core).build(), svc("cache").resources(core).build(),
                svc(
                        "queue").resources(core).build(),
                svc("metrics").build()), 2, new Resources(2000, 1L << 30));

        Plan plan = planner.plan(spec);

        assertThat(plan.phases()).containsExactly(List.of("db", "cache"), List.of("queue", "metrics"), List.of(
                "api"), List.of("web"));
        assertThat(plan.describe()).contains("deployment shop to dev: 6 services in 4 phases").contains(
                "phase 3: api [process, after cache,db]");
        assertThat(DeploymentSpecs.toJson(plan)).contains("\"phases\" : [ [ \"db\", \"cache\" ]");
    }

    @Test
    void plan_namesTheCyclePath() {
        DeploymentSpec spec = DeploymentSpec.of("shop", "dev", List.of(svc("a", "b").build(), svc("b", "c").build(),
                svc("c", "a").build(), svc("d").build()));
        assertThatThrownBy(() -> planner.plan(spec)).isInstanceOf(InvalidRequestException.class).hasMessage(
                "deployment 'shop' has a dependency cycle: a -> b -> c -> a");
    }

    @Test
    void plan_namesBothServices_whenADependencyIsMissing() {
        DeploymentSpec spec = DeploymentSpec.of("shop", "dev", List.of(svc("web", "db").build()));
        assertThatThrownBy(() -> planner.plan(spec)).isInstanceOf(InvalidRequestException.class).hasMessage(
                "service 'web' depends on 'db', which is not a service of deployment 'shop'");
    }

    @Test
    void plan_listsTheKnownExecutors_whenOneIsUnknown() {
        DeploymentSpec spec = DeploymentSpec.of("shop", "dev", List.of(ServiceSpec.builder("web", "dockr").build()));
        assertThatThrownBy(() -> planner.plan(spec)).isInstanceOf(InvalidRequestException.class).hasMessage(
                "service 'web' names executor 'dockr', which is not installed; known executors: [process]");
        DeploymentSpec probe = DeploymentSpec.of("shop", "dev", List.of(svc("web").healthCheck(HealthCheckSpec.of(
                "grpc", Map.of())).build()));
        assertThatThrownBy(() -> planner.plan(probe)).hasMessage(
                "service 'web' names health probe 'grpc', which is not installed; known probes: [command, http, tcp]");
    }

    @Test
    void plan_saysByHowMuch_whenAServiceAsksForMoreThanCapacity() {
        DeploymentSpec spec = new DeploymentSpec("shop", "dev", List.of(svc("db").resources(new Resources(6000, 0))
                .build()), 4, new Resources(4000, 1L << 30));
        assertThatThrownBy(() -> planner.plan(spec)).isInstanceOf(InvalidRequestException.class).hasMessage(
                "service 'db' asks for 6000 cpuMillis, 2000 more than the capacity of 4000");
    }

    @Test
    void plan_refusesBadExecutorAndProbeSettings_andUnknownPlaceholders() {
        assertThatThrownBy(() -> planner.plan(DeploymentSpec.of("s", "dev", List.of(ServiceSpec.builder("web",
                "process").setting("comand", "x").build())))).hasMessageStartingWith(
                        "service 'web' settings: unknown setting 'comand'; the settings are [command, dir, env.*,");
        assertThatThrownBy(() -> planner.plan(DeploymentSpec.of("s", "dev", List.of(svc("web").setting("command",
                "run 'unclosed").build())))).hasMessage(
                        "service 'web' settings: setting 'command' has a ' at position 4 that is not closed");
        assertThatThrownBy(() -> planner.plan(DeploymentSpec.of("s", "dev", List.of(svc("web").healthCheck(
                HealthCheckSpec.http("ftp://x/")).build())))).hasMessageContaining(
                        "health settings: setting 'url' must be an http or https URL");
        assertThatThrownBy(() -> planner.plan(DeploymentSpec.of("s", "dev", List.of(svc("web").setting("command",
                "serve --port ${prot}").build())))).hasMessage("service 'web' settings.command names placeholder"
                        + " ${prot}, which does not exist; the placeholders are [port, instance, slot, service, run]");
    }

    @Test
    void specs_readFromYaml_withDefaultsAndUnits() {
        DeploymentSpec spec = DeploymentSpecs.parse("""
                name: shop
                environment: dev
                capacity: {cpu: 2, memory: 1Gi}
                services:
                  - name: db
                    executor: process
                    settings: {command: "sleep 60", env: {MODE: dev}}
                    resources: {cpu: 500m, memory: 256Mi}
                    health: {probe: tcp, settings: {port: 5432}, interval: 1m30s, timeout: PT2S}
                    retry: {maxAttempts: 4}
                  - name: web
                    executor: process
                    dependsOn: [db]
                    settings: {command: "sleep 60"}
                    rollout: blue-green
                    instances: 2
                """);
        ServiceSpec db = spec.services().getFirst();
        assertThat(db.settings()).containsEntry("env.MODE", "dev");
        assertThat(db.resources()).isEqualTo(new Resources(500, 256L << 20));
        assertThat(spec.capacity()).isEqualTo(new Resources(2000, 1L << 30));
        assertThat(db.healthCheck().interval()).hasSeconds(90);
        assertThat(db.retry().maxAttempts()).isEqualTo(4);
        assertThat(spec.services().get(1).rollout()).isEqualTo(Rollout.BLUE_GREEN);
        assertThat(DeploymentSpecs.parse(DeploymentSpecs.toJson(spec))).isEqualTo(spec);
    }

    @Test
    void specs_nameTheFieldAndTheRule_whenBad() {
        assertThatThrownBy(() -> DeploymentSpecs.parse("name: shop\nenvironment: dev\nservices:\n  - name: [a\n"))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith(
                        "the deployment spec is not well-formed YAML at line");
        assertThatThrownBy(() -> DeploymentSpecs.parse("{\"name\": \"shop\",}")).hasMessageStartingWith(
                "the deployment spec is not well-formed JSON at line 1");
        assertThatThrownBy(() -> DeploymentSpecs.parse("""
                name: shop
                environment: dev
                services:
                  - {name: db, executor: process, depends_on: [x]}
                """)).hasMessageStartingWith("the deployment spec: services[0] has an unknown field 'depends_on'");
        assertThatThrownBy(() -> DeploymentSpecs.parse("""
                name: shop
                environment: dev
                services:
                  - {name: db, executor: process, timeout: 5}
                """)).hasMessage("the deployment spec: services[0].timeout must be a duration like 250ms, 5s, 1m30s"
                + " or PT5S but was '5'");
        assertThatThrownBy(() -> DeploymentSpecs.parse("""
                name: Shop
                environment: dev
                services: [{name: db, executor: process}]
                """)).hasMessageStartingWith("the deployment spec: the deployment: name must match");
        assertThatThrownBy(() -> DeploymentSpecs.parse("name: shop\nname: other\n")).hasMessageContaining(
                "Duplicate Object property \"name\"");
        assertThatThrownBy(() -> DeploymentSpecs.read(Path.of("/nonexistent/plan.yaml"))).isInstanceOf(
                NotFoundException.class);
    }

    @Test
    void deploy_ofABadPlan_startsNothing_andLeavesNoRun(@TempDir Path dir) {
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db")))
                .adoptOrphanedRuns(false).build()) {
            DeploymentSpec cyclic = DeploymentSpec.of("shop", "dev", List.of(svc("a", "b").setting("command",
                    "touch " + dir.resolve("ran")).build(), svc("b", "a").build()));
            assertThatThrownBy(() -> engine.orchestrator().deploy(CTX, cyclic)).isInstanceOf(
                    InvalidRequestException.class).hasMessageContaining("a -> b -> a");
            assertThat(engine.orchestrator().history(CTX, 10)).isEmpty();
            assertThat(dir.resolve("ran")).doesNotExist();
        }
    }
}
