package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** plan, deploy, status, rollback and resume, in this JVM, on an H2 store in a temporary home folder. */
class RunCommandsTest {
    @TempDir
    Path home;

    private Path plan(String name, String text) throws Exception {
        Path file = home.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private static String server(String name) {
        return "'" + CodeApp.java() + "' -Xmx32m -cp '" + CodeApp.codeSource() + "' " + DemoServer.class.getName()
                + " --name " + name + " --port ${port} --exit-with-parent";
    }

    private Path twoServices() throws Exception {
        return plan("shop.yaml", """
                name: shop
                environment: dev
                services:
                  - name: db
                    executor: process
                    settings: {command: "%s", stopGrace: 2s}
                    health: {probe: http, settings: {url: "http://127.0.0.1:${port}/health"}, interval: 100ms, \
                failureThreshold: 300}
                  - name: web
                    executor: process
                    dependsOn: [db]
                    settings: {command: "%s", stopGrace: 2s}
                    health: {probe: http, settings: {url: "http://127.0.0.1:${port}/health"}, interval: 100ms, \
                failureThreshold: 300}
                """.formatted(server("db").replace("\"", "\\\""), server("web").replace("\"", "\\\"")));
    }

    @Test
    void plan_ofAGoodPlan_printsItsPhases_andExitsZero() throws Exception {
        Cli.Result r = new Cli(home).run("plan", twoServices().toString());

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("deployment shop to dev: 2 services in 2 phases").contains("phase 1: db")
                .contains("phase 2: web [process, after db]");
    }

    @Test
    void plan_ofTheDockerSample_printsItsPhases_andExitsZero() {
        Cli.Result r = new Cli(home).run("plan", Path.of("plans/docker-shop.yaml").toAbsolutePath().toString());

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("deployment docker-shop to dev: 3 services in 3 phases").contains(
                "phase 3: front [docker, blue_green, after api]");
    }

    @Test
    void plan_ofTheKubernetesSample_printsItsPhases_andExitsZero() {
        Cli.Result r = new Cli(home).run("plan", Path.of("plans/kubernetes-shop.yaml").toAbsolutePath().toString());

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).contains("deployment kubernetes-shop to dev: 3 services in 3 phases").contains(
                "phase 2: api [kubernetes x2, after db]")
                .contains("phase 3: front [kubernetes x2, blue_green, after api]");
    }

    @Test
    void plan_ofAKubernetesServiceWithSlotsButNoService_exitsTwo_namingTheServiceAndTheSetting() throws Exception {
        Path bad = plan("bad.yaml", """
                name: shop
                environment: dev
                services:
                  - name: web
                    executor: kubernetes
                    settings: {image: "nginx:1.27-alpine", slots: "true"}
                """);

        Cli.Result r = new Cli(home).run("plan", bad.toString());

        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        assertThat(r.err()).contains("service 'web' settings: setting 'slots' is true but there is no Service");
    }

    @Test
    void plan_ofADockerServiceWithAnUnknownPullPolicy_exitsTwo_namingTheServiceAndTheSetting() throws Exception {
        Path bad = plan("bad.yaml", """
                name: shop
                environment: dev
                services:
                  - name: web
                    executor: docker
                    settings: {image: busybox, pull: sometimes}
                """);

        Cli.Result r = new Cli(home).run("plan", bad.toString());

        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        assertThat(r.err()).contains("service 'web' settings: setting 'pull' must be never, if-missing or always but"
                + " was 'sometimes'");
    }

    @Test
    void plan_ofAPlanWithAMissingDependency_exitsTwo_namingTheCulprit() throws Exception {
        Path bad = plan("bad.yaml", """
                name: shop
                environment: dev
                services:
                  - {name: web, executor: process, dependsOn: [nosuchdb], settings: {command: "sleep 1"}}
                """);
        Cli.Result r = new Cli(home).run("plan", bad.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: ").contains("nosuchdb").contains("hint: ").doesNotContain(
                "\tat org.");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void plan_ofAMalformedField_exitsTwo_namingItsPath() throws Exception {
        Path bad = plan("bad.yaml", """
                name: shop
                environment: dev
                services:
                  - {name: web, executor: process, timeout: soon, settings: {command: "sleep 1"}}
                """);
        Cli.Result r = new Cli(home).run("plan", bad.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("services[0].timeout");
    }

    @Test
    void plan_ofAMissingFile_exitsTwo() {
        Cli.Result r = new Cli(home).run("plan", home.resolve("nope.yaml").toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("nope.yaml");
    }

    @Test
    void plan_withJson_printsPhasesThatParse() throws Exception {
        Cli.Result r = new Cli(home).run("plan", twoServices().toString(), "--json");

        assertThat(r.exit()).as(r.all()).isZero();
        JsonNode json = r.json();
        assertThat(json.path("phases").get(0).get(0).asString()).isEqualTo("db");
        assertThat(json.path("phases").get(1).get(0).asString()).isEqualTo("web");
    }

    @Test
    void deploy_thenStatus_thenRollback_startsAndStopsRealProcesses() throws Exception {
        Cli cli = new Cli(home);
        Cli.Result deployed = cli.run("deploy", twoServices().toString(), "--json");

        assertThat(deployed.exit()).as(deployed.all()).isZero();
        JsonNode run = deployed.json();
        assertThat(run.path("state").asString()).isEqualTo("SUCCEEDED");
        String runId = run.path("runId").asString();
        long webPid = Long.parseLong(run.path("steps").get(1).path("outputs").path("0.pid").asString());
        assertThat(ProcessHandle.of(webPid)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());

        Cli.Result list = cli.run("status");
        assertThat(list.exit()).isZero();
        assertThat(list.out()).contains(runId).contains("shop").contains("SUCCEEDED");
        Cli.Result one = cli.run("status", runId.substring(0, 8));
        assertThat(one.out()).contains("run " + runId).containsPattern("web\\s+healthy");

        Cli.Result rolledBack = cli.run("rollback", runId.substring(0, 8));
        assertThat(rolledBack.exit()).as(rolledBack.all()).isZero();
        assertThat(rolledBack.out()).containsPattern("web\\s+rolled back").containsPattern("run\\s+rolled back");
        assertThat(ProcessHandle.of(webPid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));

        Cli.Result resume = cli.run("resume", runId);
        assertThat(resume.exit()).isEqualTo(2);
        assertThat(resume.err()).contains("already ended ROLLED_BACK");
    }

    @Test
    void deploy_ofAServiceThatNeverGetsHealthy_exitsOne_afterRollingBack() throws Exception {
        Path plan = plan("broken.yaml", """
                name: broken
                environment: dev
                services:
                  - name: api
                    executor: process
                    settings: {command: "%s --unhealthy", stopGrace: 2s}
                    health: {probe: http, settings: {url: "http://127.0.0.1:${port}/health"}, interval: 100ms, \
                failureThreshold: 20}
                    timeout: 20s
                """.formatted(server("api").replace("\"", "\\\"")));
        Cli.Result r = new Cli(home).run("deploy", plan.toString());

        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.out()).contains("health failing").containsPattern("run\\s+rolled back");
        assertThat(r.err()).contains("ended ROLLED_BACK").contains("api");
    }

    @Test
    void status_ofAnUnknownRun_exitsTwo_withTheHintToListRuns() {
        Cli.Result r = new Cli(home).run("status", "no-such-run");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no run no-such-run").contains("code status");
    }
}
