package org.codeengine.plugin.docker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.CodeException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.ProbeResult;
import org.codeengine.plugin.support.JsonBodies;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code docker} health probe: asks the daemon about a container. Settings: {@code container} (required; the
 * container the docker executor started is {@code code-${service}-${slot}-${instance}-${run}}), {@code exec} (a command
 * run inside the container, a JSON array of strings or words separated by blanks: healthy when it exits 0) and
 * {@code host} (the daemon, as the executor's setting). Without {@code exec} the container's own {@code HEALTHCHECK}
 * decides: healthy when Docker says {@code healthy}.
 */
public final class DockerProbe implements HealthProbe {
    private static final Set<String> KEYS = Set.of("container", "exec", "host");
    private final Map<String, String> environment;

    /** The probe ServiceLoader makes: the daemon from {@code DOCKER_HOST}, else the default socket. */
    public DockerProbe() {
        this(System.getenv());
    }

    /** @param environment where {@code DOCKER_HOST} is read */
    DockerProbe(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public String name() {
        return "docker";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public void validate(Map<String, String> settings) {
        ContainerSettings.onlyKnown(settings, KEYS, Set.of());
        String container = settings.get("container");
        if (container == null || container.isBlank()) {
            throw new InvalidRequestException("setting 'container' is required: the container the docker executor"
                    + " started is code-${service}-${slot}-${instance}-${run}", null);
        }
        ContainerSettings.words(settings, "exec");
        DockerHost.of(settings.get("host"), environment);
    }

    @Override
    public ProbeResult probe(Map<String, String> settings, Duration timeout) {
        validate(settings);
        long began = System.nanoTime();
        DockerClient docker = new DockerClient(DockerHost.of(settings.get("host"), environment));
        String container = settings.get("container").strip();
        List<String> exec = ContainerSettings.words(settings, "exec");
        try {
            String detail = exec == null
                    ? healthStatus(docker, container, timeout)
                    : exec(docker, container, exec,
                            timeout);
            return new ProbeResult(detail == null, detail == null ? "healthy" : detail, since(began));
        } catch (CodeException e) {
            return new ProbeResult(false, e.getMessage(), since(began));
        }
    }

    /** {@return null if Docker says the container is healthy, else why not} */
    private static @Nullable String healthStatus(DockerClient docker, String container, Duration timeout) {
        EngineHttp.Reply reply = docker.call("GET", "/containers/" + DockerClient.enc(container) + "/json", null,
                null, timeout);
        if (reply.status() == 404) {
            return "no container " + container + " on " + docker.host();
        }
        JsonNode state = JsonBodies.read(reply.body(), "the Docker daemon at " + docker.host()).path("State");
        JsonNode health = state.path("Health");
        if (health.isMissingNode() || health.isNull()) {
            return "container " + container + " has no HEALTHCHECK; give its image one, or set 'exec'";
        }
        String status = health.path("Status").asString();
        if (status.equals("healthy")) {
            return null;
        }
        JsonNode log = health.path("Log");
        String last = log.isArray() && !log.isEmpty()
                ? log.get(log.size() - 1).path("Output").asString().strip()
                : "";
        return "Docker says " + status + (last.isEmpty() ? "" : "; its check said: " + last);
    }

    /** {@return null if the command exited 0 inside the container, else its exit code and output} */
    private static @Nullable String exec(DockerClient docker, String container, List<String> command,
            Duration timeout) {
        ObjectNode create = JsonBodies.object().put("AttachStdout", true).put("AttachStderr", true);
        command.forEach(create.putArray("Cmd")::add);
        EngineHttp.Reply created = docker.call("POST", "/containers/" + DockerClient.enc(container) + "/exec",
                JsonBodies.JSON.writeValueAsBytes(create), "application/json", timeout);
        if (created.status() == 404 || created.status() == 409) {
            return "cannot run " + command.getFirst() + " in container " + container + ": HTTP " + created.status()
                    + " (" + created.text().strip() + ")";
        }
        String id = JsonBodies.read(created.body(), "the Docker daemon at " + docker.host()).path("Id").asString();
        EngineHttp.Reply output = docker.call("POST", "/exec/" + id + "/start", JsonBodies.JSON.writeValueAsBytes(
                JsonBodies.object().put("Detach", false).put("Tty", false)), "application/json", timeout);
        JsonNode inspected = JsonBodies.read(docker.call("GET", "/exec/" + id + "/json", null, null, timeout).body(),
                "the Docker daemon at " + docker.host());
        int exit = inspected.path("ExitCode").asInt(-1);
        if (exit == 0) {
            return null;
        }
        String text = DockerClient.demultiplex(output.body()).strip();
        return command.getFirst() + " exited " + exit + (text.isEmpty()
                ? ""
                : ": " + (text.length() > 200
                        ? text
                                .substring(text.length() - 200)
                        : text));
    }

    private static Duration since(long began) {
        return Duration.ofNanos(System.nanoTime() - began);
    }
}
