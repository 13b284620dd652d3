package org.codeengine.plugin.docker;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.codeengine.api.CodeException;
import org.codeengine.plugin.support.JsonBodies;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;

/**
 * The Docker daemon the tests use (from {@code DOCKER_HOST}, else the default socket) and the one image they run: built
 * offline through the Engine API from {@code FROM scratch} and the host's static busybox, with a {@code /www/health}
 * file for {@code busybox httpd}, and a {@code HEALTHCHECK} that passes while that file is there. Nothing is pulled
 * from any registry.
 */
final class TestDocker {
    static final String IMAGE = "code-docker-test/busybox:2";
    static final Path BUSYBOX = Path.of("/bin/busybox");
    private static final java.util.Set<String> BUILT = new java.util.HashSet<>();

    private TestDocker() {}

    static DockerClient client() {
        return new DockerClient(DockerHost.of(null, System.getenv()));
    }

    /**
     * Skips the calling test where no daemon answers, unless {@code CI=true}: then it fails with the reason, so a CI
     * machine that lost its daemon cannot pass by skipping. The reason is what {@code scripts/start-docker} said in
     * {@code CODE_DOCKER_UNAVAILABLE} (dockerd missing, not root, its log), else what the ping met.
     */
    static DockerClient daemon() {
        DockerClient docker = client();
        try {
            docker.ping();
        } catch (CodeException e) {
            String script = System.getenv().getOrDefault("CODE_DOCKER_UNAVAILABLE", "");
            unavailable("no Docker daemon: " + (script.isBlank()
                    ? e.getMessage() + " (scripts/start-docker starts"
                            + " one)"
                    : script));
        }
        if (!Files.isExecutable(BUSYBOX) || !isStatic(BUSYBOX)) {
            unavailable(BUSYBOX + " is missing or not statically linked, so no image can be built offline: install"
                    + " Debian's busybox-static (scripts/start-docker does)");
        }
        return docker;
    }

    static void unavailable(String why) {
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        Assumptions.abort(why);
    }

    /** {@return whether an ELF executable has no program interpreter (PT_INTERP): a static one runs FROM scratch} */
    static boolean isStatic(Path elf) {
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(elf)) {
            java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(64).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            file.read(header, 0);
            if (header.getInt(0) != 0x464c457f || header.get(4) != 2) {
                return false; // not a 64-bit ELF
            }
            long table = header.getLong(0x20);
            int size = header.getShort(0x36) & 0xffff;
            int count = header.getShort(0x38) & 0xffff;
            java.nio.ByteBuffer entry = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < count; k++) {
                entry.clear();
                file.read(entry, table + (long) k * size);
                if (entry.getInt(0) == 3) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Builds {@link #IMAGE} once, through POST /build with a tar context, unless the daemon has it. */
    static synchronized void image(DockerClient docker) throws IOException {
        if (BUILT.contains(docker.host().address()) || docker.imageExists(IMAGE)) {
            BUILT.add(docker.host().address());
            return;
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("Dockerfile", """
                FROM scratch
                COPY busybox /bin/busybox
                COPY health /www/health
                HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD ["/bin/busybox", "test", "-f", "/www/health"]
                ENTRYPOINT ["/bin/busybox"]
                """.getBytes(StandardCharsets.UTF_8));
        files.put("busybox", Files.readAllBytes(BUSYBOX));
        files.put("health", "ok\n".getBytes(StandardCharsets.UTF_8));
        docker.build(IMAGE, files);
        if (!docker.imageExists(IMAGE)) {
            fail("building " + IMAGE + " left no image");
        }
        BUILT.add(docker.host().address());
    }

    /** Polls {@code condition} until it holds, failing the test when {@code within} has passed. */
    static void await(String what, java.util.function.BooleanSupplier condition, Duration within) {
        org.codeengine.plugin.testkit.Await.until(what, condition, within);
    }

    /** One container event from the daemon's log of events. */
    record Event(String action, String service, String instance, String slot, String run, long timeNano) {}

    /**
     * @return the create, start, die and destroy events of containers CODE started for the runs, oldest first, from
     *         the daemon's own record
     */
    static List<Event> events(DockerClient docker, long sinceSeconds, Collection<String> runs) {
        String filters = JsonBodies.JSON.writeValueAsString(Map.of("type", List.of("container"), "event", List.of(
                "create", "start", "die", "destroy")));
        long until = System.currentTimeMillis() / 1000 + 1;
        EngineHttp.Reply reply = docker.call("GET", "/events?since=" + sinceSeconds + "&until=" + until + "&filters="
                + DockerClient.enc(filters), null, null, Duration.ofSeconds(30));
        List<Event> events = new ArrayList<>();
        for (String line : reply.text().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode e = JsonBodies.JSON.readTree(line);
            JsonNode attributes = e.path("Actor").path("Attributes");
            String run = attributes.path(Labels.RUN).asString();
            if (runs.contains(run)) {
                events.add(new Event(e.path("Action").asString(), attributes.path(Labels.SERVICE).asString(),
                        attributes.path(Labels.INSTANCE).asString(), attributes.path(Labels.SLOT).asString(), run, e
                                .path("timeNano").asLong()));
            }
        }
        return events;
    }

    /** {@return the ids of the containers, running or stopped, that CODE made for the run} */
    static List<String> containersOf(DockerClient docker, String run) {
        return docker.containersLabelled(Map.of(Labels.RUN, run));
    }

    /** Removes what a test left behind, so a failed test does not leave containers on the daemon. */
    static void removeAll(DockerClient docker, Collection<String> runs) {
        for (String run : runs) {
            containersOf(docker, run).forEach(docker::remove);
        }
    }
}
