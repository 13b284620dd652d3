package org.codeengine.plugin.tools.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.docker.DockerClient;
import org.codeengine.plugin.support.JsonBodies;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The docker tools on the local daemon (scripts/start-docker), with an image built offline from FROM scratch and the
 * host's static busybox; nothing is pulled.
 */
class DockerToolsTest {
    private static final String IMAGE = "code-tools-test/busybox:1";
    private static final CallContext CALLER = new CallContext(new Principal("ann", Principal.Kind.USER, Set.of(
            "ops")), null, "t-docker");
    private final List<String> made = new ArrayList<>();
    private DockerClient docker;

    private DockerClient daemon() throws IOException {
        DockerClient client = DockerClient.of(null);
        Path busybox = Path.of("/bin/busybox");
        try {
            client.ping();
        } catch (CodeException e) {
            unavailable("no Docker daemon: " + e.getMessage() + " (scripts/start-docker starts one)");
        }
        if (!Files.isExecutable(busybox)) {
            unavailable("/bin/busybox is missing: install Debian's busybox-static (scripts/start-docker does)");
        }
        if (!client.imageExists(IMAGE)) {
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put("Dockerfile", "FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT [\"/bin/busybox\"]\n"
                    .getBytes(StandardCharsets.UTF_8));
            files.put("busybox", Files.readAllBytes(busybox));
            client.build(IMAGE, files);
        }
        return client;
    }

    private static void unavailable(String why) {
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        Assumptions.abort(why);
    }

    @AfterEach
    void removeContainers() {
        if (docker != null) {
            made.forEach(docker::remove);
        }
    }

    @Test
    void runPsLogsInspectStop_throughTheDockerPluginsClient() throws Exception {
        docker = daemon();
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("dk" + UUID.randomUUID()
                .toString().replace("-", ""))).toolSettings("docker", JsonBodies.object()).build()) {
            engine.security().defineRole("ops", Set.of(Permission.parse("tool:call:*")), Set.of());
            String name = "code-tools-" + UUID.randomUUID().toString().substring(0, 8);
            var args = JsonBodies.object().put("image", IMAGE).put("name", name);
            args.putArray("command").add("sh").add("-c").add("echo ahoy $0; sleep 30").add("; echo not-a-shell");
            args.putObject("env").put("TOKEN", "s3cret-value");

            ToolResult unconfirmed = engine.tools().call(CALLER, "docker_run", args);
            assertThat(unconfirmed.text()).contains("needs the caller's confirmation");
            ToolResult run = engine.tools().call(CALLER, "docker_run", args, q -> true);
            assertThat(run.error()).as(run.text()).isFalse();
            made.add(run.structured().path("id").asString());

            JsonNode raw = docker.inspectJson(name).orElseThrow();
            assertThat(raw.path("HostConfig").path("Privileged").asBoolean()).isFalse();
            assertThat(raw.path("HostConfig").path("CapDrop").toString()).contains("ALL");
            assertThat(raw.path("HostConfig").path("NetworkMode").asString()).isEqualTo("none");

            ToolResult ps = engine.tools().call(CALLER, "docker_ps", JsonBodies.object());
            assertThat(ps.structured().path("containers").toString()).contains(name);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String logs = "";
            while (!logs.contains("ahoy") && System.nanoTime() < deadline) {
                logs = engine.tools().call(CALLER, "docker_logs", JsonBodies.object().put("container", name))
                        .structured().path("logs").asString();
                Thread.sleep(50); // the poll's interval
            }
            assertThat(logs).contains("ahoy ; echo not-a-shell");

            ToolResult inspect = engine.tools().call(CALLER, "docker_inspect", JsonBodies.object().put("container",
                    name));
            assertThat(inspect.structured().path("env_names").toString()).contains("TOKEN");
            assertThat(inspect.text()).doesNotContain("s3cret-value");

            var foreign = JsonBodies.object().put("Image", IMAGE);
            foreign.putArray("Cmd").add("sleep").add("30");
            String other = docker.create("code-tools-foreign-" + UUID.randomUUID().toString().substring(0, 8),
                    foreign);
            made.add(other);
            ToolResult refused = engine.tools().call(CALLER, "docker_stop", JsonBodies.object().put("container",
                    other), q -> true);
            assertThat(refused.text()).contains("names a container docker_run did not start");

            ToolResult stopped = engine.tools().call(CALLER, "docker_stop", JsonBodies.object().put("container",
                    name).put("timeout_seconds", 0), q -> true);
            assertThat(stopped.error()).as(stopped.text()).isFalse();
            assertThat(stopped.structured().path("status").asString()).isEqualTo("exited");
            ToolResult missing = engine.tools().call(CALLER, "docker_logs", JsonBodies.object().put("container",
                    "no-such-container-" + UUID.randomUUID()));
            assertThat(missing.text()).contains("argument 'container' names", "which is no container");
        }
    }
}
