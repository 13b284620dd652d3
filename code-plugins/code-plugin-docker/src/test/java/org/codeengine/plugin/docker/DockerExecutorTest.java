package org.codeengine.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.spi.StepHandle;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.testkit.RecordingStepContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The docker executor on its own, against the real daemon: one instance at a time, with a hand-made context. */
class DockerExecutorTest {
    final DockerExecutor executor = new DockerExecutor();
    final List<String> runs = new ArrayList<>();

    /** Where this test's contexts keep logs; null in an instance another test class makes (nothing injects it). */
    @TempDir
    @Nullable
    Path logs;

    /** A context of its own run (removed after the test) that keeps what is recorded, as the journal would. */
    RecordingStepContext context(Resources resources) {
        Path folder = logs;
        RecordingStepContext context = new RecordingStepContext("test-" + UUID.randomUUID(), folder != null
                ? folder
                : Path.of(System.getProperty("java.io.tmpdir"), "code-docker-test-logs")).resources(resources);
        runs.add(context.runId());
        return context;
    }

    @AfterEach
    void removeLeftovers() {
        TestDocker.removeAll(TestDocker.client(), runs);
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    static Map<String, String> web(int port) {
        return Map.of("image", TestDocker.IMAGE, "pull", "never", "args", "httpd -f -p 127.0.0.1:" + port
                + " -h /www", "stopGrace", "2s", "label.team", "shop", "init", "true");
    }

    static int get(int port) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(
                    Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    static void awaitServing(int port) {
        TestDocker.await("serving on port " + port, () -> get(port) == 200, Duration.ofSeconds(20));
    }

    @Test
    void start_runsAContainerWithCodesLabelsLimitsAndNoRestartPolicy_andUndoRemovesIt() throws IOException {
        DockerClient docker = TestDocker.daemon();
        TestDocker.image(docker);
        int port = freePort();
        RecordingStepContext context = context(new Resources(500, 64L << 20));

        StepHandle handle = executor.start("web", web(port), context);
        handle.awaitStarted(Duration.ofSeconds(10));

        assertThat(handle.alive()).isTrue();
        assertThat(context.recorded()).containsEntry("container", "code-web-blue-0-" + context.runId()).containsKeys(
                "containerId", "host", "stopGrace", "log");
        assertThat(executor.alive(context.stepRecord())).isTrue();
        awaitServing(port);
        JsonNode inspected = JsonBodies.JSON.readTree(docker.call("GET", "/containers/" + context.recorded().get(
                "containerId") + "/json", null, null, Duration.ofSeconds(10)).body());
        assertThat(inspected.path("Config").path("Labels").path("code.run").asString()).isEqualTo(context.runId());
        assertThat(inspected.path("Config").path("Labels").path("code.service").asString()).isEqualTo("web");
        assertThat(inspected.path("Config").path("Labels").path("code.instance").asString()).isEqualTo("0");
        assertThat(inspected.path("Config").path("Labels").path("code.slot").asString()).isEqualTo("blue");
        assertThat(inspected.path("Config").path("Labels").path("team").asString()).isEqualTo("shop");
        assertThat(inspected.path("HostConfig").path("NanoCpus").asLong()).isEqualTo(500_000_000L);
        assertThat(inspected.path("HostConfig").path("Memory").asLong()).isEqualTo(64L << 20);
        assertThat(inspected.path("HostConfig").path("RestartPolicy").path("Name").asString()).isEqualTo("no");
        assertThat(inspected.path("HostConfig").path("NetworkMode").asString()).isEqualTo("host");
        assertThat(inspected.path("HostConfig").path("Init").asBoolean()).isTrue();

        executor.undo(context.stepRecord(), context);

        assertThat(TestDocker.containersOf(docker, context.runId())).isEmpty();
        assertThat(executor.alive(context.stepRecord())).isFalse();
        assertThat(get(port)).isEqualTo(-1);
        executor.undo(context.stepRecord(), context); // already removed: not an error
    }

    @Test
    void start_adoptsTheContainerAnEarlierTryCreated_insteadOfCreatingASecond() throws IOException {
        DockerClient docker = TestDocker.daemon();
        TestDocker.image(docker);
        long since = System.currentTimeMillis() / 1000 - 1;
        int port = freePort();
        RecordingStepContext context = context(Resources.NONE);

        executor.start("web", web(port), context).awaitStarted(Duration.ofSeconds(10));
        String first = context.recorded().get("containerId");
        executor.start("web", web(port), context).awaitStarted(Duration.ofSeconds(10));

        assertThat(context.recorded().get("containerId")).isEqualTo(first);
        assertThat(context.progressLines()).anyMatch(p -> p.startsWith("adopted container"));
        assertThat(TestDocker.containersOf(docker, context.runId())).containsExactly(first);
        assertThat(TestDocker.events(docker, since, runs)).filteredOn(e -> e.action().equals("create")).hasSize(1);
        awaitServing(port);
    }

    @Test
    void undo_findsTheContainerByItsName_whenItsIdNeverReachedTheRecord() throws IOException {
        DockerClient docker = TestDocker.daemon();
        TestDocker.image(docker);
        RecordingStepContext context = context(Resources.NONE);
        context.failRecordsAfter(1); // the name is recorded, the id is not

        assertThatThrownBy(() -> executor.start("web", web(freePort()), context)).hasMessageContaining(
                "the store is gone");
        assertThat(context.recorded()).containsKey("container").doesNotContainKey("containerId");
        assertThat(TestDocker.containersOf(docker, context.runId())).hasSize(1);

        executor.undo(context.stepRecord(), context);

        assertThat(TestDocker.containersOf(docker, context.runId())).as("orphan containers").isEmpty();
    }

    @Test
    void alive_finishesAStartThatAKilledEngineLeftBetweenCreateAndStart_soTheContainerIsNotCreatedTwice()
            throws IOException {
        DockerClient docker = TestDocker.daemon();
        TestDocker.image(docker);
        long since = System.currentTimeMillis() / 1000 - 1;
        int port = freePort();
        RecordingStepContext context = context(Resources.NONE);
        String name = Labels.name(context);
        docker.create(name, DockerExecutor.config(ContainerSettings.parse(web(port), Map.of()), Labels.of(context, Map
                .of()), Resources.NONE)); // the engine died here: created, never started
        context.recorded().put("container", name);

        assertThat(executor.alive(context.stepRecord())).isTrue();

        awaitServing(port);
        assertThat(TestDocker.events(docker, since, runs)).extracting(TestDocker.Event::action).containsExactly(
                "create", "start");
    }

    @Test
    void init_passesSigtermToAServiceWithoutAHandler_whichOtherwiseOnlySigkillStops() throws IOException {
        DockerClient docker = TestDocker.daemon();
        TestDocker.image(docker);
        Map<String, Integer> exitCodes = new HashMap<>();
        for (String init : List.of("true", "false")) {
            RecordingStepContext context = context(Resources.NONE);
            Map<String, String> settings = new HashMap<>(web(freePort()));
            settings.put("init", init);
            executor.start("web", settings, context).awaitStarted(Duration.ofSeconds(10));
            String id = context.recorded().get("containerId");

            docker.stop(id, Duration.ofSeconds(1));

            exitCodes.put(init, docker.inspect(id).orElseThrow().exitCode());
        }
        assertThat(exitCodes).as("128 + the signal that ended httpd").containsEntry("true", 128 + 15).containsEntry(
                "false", 128 + 9);
    }

    @Test
    void awaitStarted_failsWithTheExitCodeAndTheLastLogLine_whenTheContainerExitsAtOnce() throws IOException {
        DockerClient docker = TestDocker.daemon();
        TestDocker.image(docker);
        RecordingStepContext context = context(Resources.NONE);
        Map<String, String> settings = Map.of("image", TestDocker.IMAGE, "pull", "never", "args",
                "[\"sh\", \"-c\", \"echo starting; echo 'DB_URL is not set' >&2; exit 3\"]", "network", "none");

        StepHandle handle = executor.start("web", settings, context);
        TestDocker.await("the container exits", () -> !handle.alive(), Duration.ofSeconds(20));

        assertThat(handle.exitDetail()).hasValueSatisfying(d -> assertThat(d).contains("exit 3").contains(
                "'DB_URL is not set'"));
        assertThatThrownBy(() -> handle.awaitStarted(Duration.ofSeconds(1))).isInstanceOf(
                UnavailableException.class).hasMessageContaining("exit 3").hasMessageContaining("DB_URL is not set");
        executor.undo(context.stepRecord(), context);
        assertThat(Path.of(context.recorded().get("log"))).startsWith(logs);
        assertThat(java.nio.file.Files.readString(Path.of(context.recorded().get("log"))))
                .contains("starting").contains("DB_URL is not set");
    }

    @Test
    void aPortTakenOnTheHost_failsTheStartWithTheServicesOwnWords() throws IOException {
        DockerClient docker = TestDocker.daemon();
        TestDocker.image(docker);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            RecordingStepContext context = context(Resources.NONE);

            StepHandle handle = executor.start("web", web(taken.getLocalPort()), context);
            TestDocker.await("the container exits", () -> !handle.alive(), Duration.ofSeconds(20));

            assertThat(handle.exitDetail()).hasValueSatisfying(d -> assertThat(d).startsWith(
                    "exit 1; last log line: 'httpd: bind: Address already in use'"));
        }
    }

    @Test
    void start_refusesAnImageTheDaemonDoesNotHave_whenPullIsNever() {
        TestDocker.daemon();
        RecordingStepContext context = context(Resources.NONE);

        assertThatThrownBy(() -> executor.start("web", Map.of("image", "code-docker-test/absent:1", "pull",
                "never"), context)).isInstanceOf(InvalidRequestException.class).hasMessage("service 'web': image"
                        + " 'code-docker-test/absent:1' is not on the Docker daemon at " + TestDocker.client()
                                .host()
                        + " and setting 'pull' is never: build or load it there first, or set 'pull'"
                        + " to if-missing");
        assertThat(context.recorded()).as("nothing recorded before the image is there").isEmpty();
    }

    @Test
    void start_saysWhichSocketItTriedAndWhatToStart_whenNoDaemonListens() {
        RecordingStepContext context = context(Resources.NONE);
        String socket = "unix:///tmp/code-no-daemon-" + UUID.randomUUID() + ".sock";

        assertThatThrownBy(() -> executor.start("web", Map.of("image", "busybox", "host", socket), context))
                .isInstanceOf(UnavailableException.class).hasMessageStartingWith("service 'web': the Docker daemon at "
                        + socket + " is not reachable")
                .hasMessageContaining("start dockerd");
        assertThat(executor.target(Map.of("host", socket))).isEqualTo(socket);
    }

    @Test
    void validate_namesTheSettingAndTheRule_forEachKindOfBadInput() {
        assertThatThrownBy(() -> executor.validate(Map.of())).hasMessage("setting 'image' is required");
        assertThatThrownBy(() -> executor.validate(Map.of("image", "Busybox:latest"))).isInstanceOf(
                InvalidRequestException.class).hasMessageStartingWith("setting 'image' must be an image reference");
        assertThatThrownBy(() -> executor.validate(Map.of("image", "busybox", "pull", "sometimes"))).hasMessage(
                "setting 'pull' must be never, if-missing or always but was 'sometimes'");
        assertThatThrownBy(() -> executor.validate(Map.of("image", "busybox", "network", "bridge")))
                .hasMessageStartingWith("setting 'network' must be host");
        assertThatThrownBy(() -> executor.validate(Map.of("image", "busybox", "env.1X", "v"))).hasMessageStartingWith(
                "setting 'env.1X' must name an environment variable");
        assertThatThrownBy(() -> executor.validate(Map.of("image", "busybox", "label.code.run", "x")))
                .hasMessageContaining("setting 'label.code.run'").hasMessageContaining("CODE's own");
        assertThatThrownBy(() -> executor.validate(Map.of("image", "busybox", "args", "[\"sh\", 3]")))
                .hasMessageStartingWith("setting 'args' must be a JSON array of strings");
        assertThatThrownBy(() -> executor.validate(Map.of("image", "busybox", "init", "yes"))).hasMessage(
                "setting 'init' must be true or false but was 'yes'");
        assertThatThrownBy(() -> executor.validate(Map.of("image", "busybox", "stopGrace", "soon")))
                .hasMessageContaining("stopGrace");
        assertThatThrownBy(() -> executor.validate(Map.of("image", "busybox", "host", "http://docker:2375")))
                .hasMessage("setting 'host' must be unix:///path/to/docker.sock or tcp://host:port but was"
                        + " 'http://docker:2375'");
        assertThatThrownBy(() -> executor.validate(Map.of("image", "busybox", "ports", "80:80")))
                .hasMessageStartingWith("unknown setting 'ports'");
        assertThatThrownBy(() -> new DockerExecutor(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2376", "DOCKER_TLS_VERIFY",
                "1", "DOCKER_CERT_PATH", "/nonexistent/certs")).validate(Map.of("image", "busybox")))
                .hasMessageContaining("/nonexistent/certs/ca.pem is missing or unreadable");

        executor.validate(Map.of("image", "registry.example.com:5000/team/web:1.2", "pull", "always", "command",
                "/bin/busybox", "args", "[\"httpd\", \"-f\"]", "env.DB_URL", "x", "network", "none", "stopGrace",
                "500ms", "host", "tcp://127.0.0.1:2375"));
        executor.validate(Map.of("image", "web@sha256:" + "a".repeat(64)));
    }

    @Test
    void target_isTheDaemon_fromTheSettingElseDockerHostElseTheDefaultSocket() {
        assertThat(new DockerExecutor(Map.of()).target(Map.of("image", "busybox"))).isEqualTo(
                "unix:///var/run/docker.sock");
        assertThat(new DockerExecutor(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375")).target(Map.of("image",
                "busybox"))).isEqualTo("tcp://127.0.0.1:2375");
        assertThat(new DockerExecutor(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375")).target(Map.of("image", "busybox",
                "host", "unix:///run/docker.sock"))).isEqualTo("unix:///run/docker.sock");
    }

    @Test
    void containerSettings_toString_neverShowsEnvironmentValues() {
        ContainerSettings settings = ContainerSettings.parse(Map.of("image", "busybox", "env.TOKEN", "s3cr3t-value"),
                Map.of());

        assertThat(settings.toString()).contains("TOKEN").doesNotContain("s3cr3t-value");
    }
}
