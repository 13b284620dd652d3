package org.codeengine.plugin.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.spi.ProbeResult;
import org.codeengine.plugin.testkit.RecordingStepContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The docker health probe against containers on the real daemon: a command inside them, and their HEALTHCHECK. */
class DockerProbeTest {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    final DockerProbe probe = new DockerProbe();
    final DockerExecutorTest executors = new DockerExecutorTest();

    @AfterEach
    void removeLeftovers() {
        executors.removeLeftovers();
    }

    /** Starts a busybox web server, with {@code args} in place of the plain one if given, and returns its name. */
    String web(int port, String... args) throws IOException {
        RecordingStepContext context = executors.context(Resources.NONE);
        Map<String, String> settings = new HashMap<>(DockerExecutorTest.web(port));
        if (args.length > 0) {
            settings.put("args", args[0]);
        }
        new DockerExecutor().start("web", settings, context).awaitStarted(TIMEOUT);
        return context.recorded().get("container");
    }

    @Test
    void exec_isHealthyWhenTheCommandInsideTheContainerExitsZero_andSaysTheExitCodeOtherwise() throws IOException {
        TestDocker.image(TestDocker.daemon());
        int port = DockerExecutorTest.freePort();
        String container = web(port);
        DockerExecutorTest.awaitServing(port);

        ProbeResult ok = probe.probe(Map.of("container", container, "exec", "/bin/busybox wget -q -O /dev/null"
                + " http://127.0.0.1:" + port + "/health"), TIMEOUT);
        ProbeResult missing = probe.probe(Map.of("container", container, "exec",
                "[\"/bin/busybox\", \"sh\", \"-c\", \"echo no such page >&2; exit 4\"]"), TIMEOUT);
        ProbeResult gone = probe.probe(Map.of("container", "code-no-such-container", "exec", "/bin/busybox true"),
                TIMEOUT);

        assertThat(ok.healthy()).as(ok.detail()).isTrue();
        assertThat(missing.healthy()).isFalse();
        assertThat(missing.detail()).isEqualTo("/bin/busybox exited 4: no such page");
        assertThat(gone.healthy()).isFalse();
        assertThat(gone.detail()).contains("code-no-such-container").contains("404");
    }

    @Test
    void withoutExec_theContainersOwnHealthcheckDecides() throws IOException {
        TestDocker.image(TestDocker.daemon());
        int port = DockerExecutorTest.freePort();
        String healthy = web(port);
        int other = DockerExecutorTest.freePort();
        String unhealthy = web(other, "[\"sh\", \"-c\", \"rm /www/health; exec httpd -f -p 127.0.0.1:" + other
                + " -h /www\"]");
        List<ProbeResult> last = new ArrayList<>(List.of(new ProbeResult(false, "", Duration.ZERO)));

        TestDocker.await("Docker says healthy", () -> probe.probe(Map.of("container", healthy), TIMEOUT).healthy(),
                Duration.ofSeconds(30));
        TestDocker.await("Docker says unhealthy", () -> {
            last.set(0, probe.probe(Map.of("container", unhealthy), TIMEOUT));
            return last.getFirst().detail().startsWith("Docker says unhealthy");
        }, Duration.ofSeconds(30));

        assertThat(last.getFirst().healthy()).isFalse();
        assertThat(DockerExecutorTest.get(other)).as("it serves, but its HEALTHCHECK fails").isEqualTo(404);
    }

    @Test
    void validate_namesTheSetting() {
        assertThatThrownBy(() -> probe.validate(Map.of("exec", "true"))).hasMessageStartingWith(
                "setting 'container' is required");
        assertThatThrownBy(() -> probe.validate(Map.of("container", "c", "url", "x"))).hasMessageStartingWith(
                "unknown setting 'url'");
        assertThatThrownBy(() -> probe.validate(Map.of("container", "c", "exec", "[1]"))).hasMessageStartingWith(
                "setting 'exec' must be a JSON array of strings");
        probe.validate(Map.of("container", "code-${service}-${slot}-${instance}-${run}".replace("${service}", "web")));
    }
}
