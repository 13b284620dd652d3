package org.codeengine.plugin.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.CodeException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.spi.StepContext;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StepHandle;
import org.codeengine.plugin.support.Availability;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.StepErrors;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Runs a service as a container on a Docker daemon. Settings: {@code image} (required), {@code pull} ({@code never},
 * {@code if-missing} by default, {@code always}), {@code command} (replaces the entrypoint) and {@code args} (replace
 * the image's command), each a JSON array of strings or words separated by blanks, {@code env.NAME},
 * {@code secretEnv.NAME} (a variable whose value is a secret, by reference: {@code vault:name}), {@code registryAuth}
 * (the registry login for pulls, by reference),
 * {@code label.NAME}, {@code network} ({@code host} by default: bind {@code 127.0.0.1:${port}}; or {@code none}),
 * {@code stopGrace} (10s by default), {@code host} (the daemon; by default {@code DOCKER_HOST}, else
 * {@code unix:///var/run/docker.sock}), {@code init} ({@code true} runs the daemon's init as PID 1, so SIGTERM
 * reaches a service that installs no handler of its own; {@code false} by default, as in Docker) and {@code log} (the
 * file the container's output is copied to when it is
 * undone; by default {@code <engine's log folder>/<run>/<service>-<instance>.log}, where the process executor writes,
 * readable by its owner only). The
 * service's resources become the container's CPU and memory limits; the daemon never restarts it (CODE does).
 *
 * <p>The container's name is recorded before it is created, and its id before it starts, so no container is ever left
 * that the record does not lead to; a start repeated after a crash adopts the container it finds under that name.
 */
public final class DockerExecutor implements StepExecutor {
    private static final System.Logger LOG = System.getLogger(DockerExecutor.class.getName());
    /** Lines of a container's log that a failure quotes. */
    static final int TAIL = 3;
    /** The longest {@link #unavailable(Map)} waits for the daemon's ping. */
    private static final Duration PING = Duration.ofSeconds(2);

    private final Map<String, String> environment;

    /** The executor ServiceLoader makes: the daemon from {@code DOCKER_HOST}, else the default socket. */
    public DockerExecutor() {
        this(System.getenv());
    }

    /** @param environment where {@code DOCKER_HOST} and {@code DOCKER_TLS_VERIFY} are read */
    DockerExecutor(Map<String, String> environment) {
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
        ContainerSettings.parse(settings, environment);
    }

    /** The references in {@code secretEnv.*} and {@code registryAuth}. */
    @Override
    public Set<SecretRef> secretRefs(Map<String, String> settings) {
        return ContainerSettings.secretRefs(settings);
    }

    /** Pings the daemon that {@code DOCKER_HOST} names, else the default socket, for at most two seconds. */
    @Override
    public Optional<String> unavailable(Map<String, String> environment) {
        DockerHost host;
        try {
            host = DockerHost.of(null, environment);
        } catch (InvalidRequestException e) {
            return Optional.of(e.getMessage());
        }
        return Availability.within(PING, "the Docker daemon at " + host + " does not answer within " + PING.toSeconds()
                + " s: start dockerd, or point DOCKER_HOST at a running daemon", () -> {
                    new DockerClient(host).ping(PING);
                    return Optional.empty();
                });
    }

    @Override
    public String target(Map<String, String> settings) {
        try {
            return DockerHost.of(settings.get("host"), environment).address();
        } catch (InvalidRequestException e) {
            return String.valueOf(settings.get("host"));
        }
    }

    @Override
    public StepHandle start(String service, Map<String, String> settings, StepContext context) {
        ContainerSettings s;
        try {
            s = ContainerSettings.parse(settings, environment);
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException("service '" + service + "' settings: " + e.getMessage(), e);
        }
        DockerClient docker = new DockerClient(s.host());
        String name = Labels.name(context);
        Path log = s.log() != null
                ? Path.of(s.log())
                : context.logFolder().resolve(context.runId()).resolve(service + "-" + context.instance() + ".log");
        try {
            docker.ping();
            ensureImage(docker, s, s.registryAuth() == null ? null : context.secret(s.registryAuth()));
            // the name first: from here on an undo finds the container, whatever happens before its id is recorded
            context.record(Map.of("container", name, "host", s.host().address(), "stopGrace", s.stopGrace()
                    .toString(), "log", log.toString()));
            DockerClient.Container existing = docker.inspect(name).orElse(null);
            String id;
            if (existing != null && !Labels.belongsTo(existing.labels(), context)) {
                throw new InvalidRequestException("a container named '" + name + "' exists on " + s.host()
                        + " that CODE did not create for this instance; remove it", null);
            }
            if (existing != null && (existing.running() || existing.status().equals("created"))) {
                id = existing.id();
                context.progress().accept("adopted container " + shortId(id) + " (" + existing.status()
                        + ") that an earlier try created");
            } else {
                if (existing != null) {
                    docker.remove(existing.id()); // an earlier try's container that stopped: start afresh
                }
                Map<String, String> secrets = new LinkedHashMap<>();
                s.secretEnv().forEach((variable, ref) -> secrets.put(variable, context.secret(ref).reveal()));
                id = docker.create(name, config(s, secrets, Labels.of(context, s.labels()), context.resources()));
            }
            context.record(Map.of("containerId", id));
            docker.start(id);
            context.progress().accept("started container " + shortId(id) + " (" + name + ") from " + s.image()
                    + " on " + s.host());
            return new Started(docker, id, s.stopGrace(), log);
        } catch (CodeException e) {
            throw StepErrors.withService(service, e);
        }
    }

    private static void ensureImage(DockerClient docker, ContainerSettings s, @Nullable Secret credential) {
        String image = s.image().toString();
        switch (s.pull()) {
            case NEVER -> {
                if (!docker.imageExists(image)) {
                    throw new InvalidRequestException("image '" + image + "' is not on the Docker daemon at " + s
                            .host() + " and setting 'pull' is never: build or load it there first, or set 'pull' to"
                            + " if-missing", null);
                }
            }
            case IF_MISSING -> {
                if (!docker.imageExists(image)) {
                    docker.pull(s.image(), credential);
                }
            }
            case ALWAYS -> docker.pull(s.image(), credential);
        }
    }

    /** The body of a create for a service without {@code secretEnv}. */
    static ObjectNode config(ContainerSettings s, Map<String, String> labels, Resources resources) {
        return config(s, Map.of(), labels, resources);
    }

    /**
     * The body of a create: image, command, environment, labels, network, limits, no restart policy.
     *
     * @param secrets the values of {@code secretEnv} variables, resolved; they go to the daemon only
     */
    static ObjectNode config(ContainerSettings s, Map<String, String> secrets, Map<String, String> labels,
            Resources resources) {
        ObjectNode body = JsonBodies.object();
        body.put("Image", s.image().toString());
        if (s.command() != null) {
            ArrayNode entrypoint = body.putArray("Entrypoint");
            s.command().forEach(entrypoint::add);
        }
        if (s.args() != null) {
            ArrayNode cmd = body.putArray("Cmd");
            s.args().forEach(cmd::add);
        }
        ArrayNode env = body.putArray("Env");
        s.env().forEach((k, v) -> env.add(k + "=" + v));
        secrets.forEach((k, v) -> env.add(k + "=" + v));
        ObjectNode labelNode = body.putObject("Labels");
        labels.forEach(labelNode::put);
        body.put("StopTimeout", Math.max(1, (s.stopGrace().toMillis() + 999) / 1000));
        ObjectNode host = body.putObject("HostConfig");
        host.put("NetworkMode", s.network());
        host.putObject("RestartPolicy").put("Name", "no");
        host.put("Init", s.init());
        if (resources.cpuMillis() > 0) {
            host.put("NanoCpus", resources.cpuMillis() * 1_000_000L);
        }
        if (resources.memoryBytes() > 0) {
            host.put("Memory", resources.memoryBytes());
        }
        return body;
    }

    @Override
    public void undo(StepRecord record, StepContext context) {
        DockerClient docker = clientFor(record);
        String ref = reference(record, context);
        Optional<DockerClient.Container> container = docker.inspect(ref);
        if (container.isEmpty()) {
            return; // already removed
        }
        String id = container.get().id();
        Duration grace = grace(record);
        docker.stop(id, grace);
        String log = record.outputs().get("log");
        if (log != null) {
            copyLog(docker, id, Path.of(log));
        }
        docker.remove(id);
    }

    /**
     * Says whether the recorded container runs. A container that was created but never started is a start that an
     * engine killed between create and start left half done (CODE leaves no container in that state otherwise): it is
     * started now, so a resumed run keeps the one container rather than removing it and creating a second.
     */
    @Override
    public boolean alive(StepRecord record) {
        String id = record.outputs().getOrDefault("containerId", record.outputs().get("container"));
        if (id == null) {
            return false;
        }
        DockerClient docker = clientFor(record);
        Optional<DockerClient.Container> container = docker.inspect(id);
        if (container.isPresent() && container.get().status().equals("created") && container.get().labels()
                .containsKey(Labels.RUN)) {
            docker.start(container.get().id());
            container = docker.inspect(id);
        }
        return container.map(DockerClient.Container::running).orElse(false);
    }

    private DockerClient clientFor(StepRecord record) {
        return new DockerClient(DockerHost.of(record.outputs().get("host"), environment));
    }

    /** The recorded id, else the recorded name, else the name the instance's container would have. */
    private static String reference(StepRecord record, StepContext context) {
        String id = record.outputs().get("containerId");
        if (id != null) {
            return id;
        }
        return record.outputs().getOrDefault("container", Labels.name(context));
    }

    private static Duration grace(StepRecord record) {
        try {
            return Duration.parse(record.outputs().getOrDefault("stopGrace", ContainerSettings.DEFAULT_GRACE
                    .toString()));
        } catch (RuntimeException e) {
            return ContainerSettings.DEFAULT_GRACE;
        }
    }

    /**
     * Keeps what the container wrote where the process executor keeps its output; a failure here only warns.
     *
     * @return the log, or empty if it could not be read
     */
    private static String copyLog(DockerClient docker, String id, Path log) {
        String text = "";
        try {
            text = docker.logs(id, null);
            Path folder = log.toAbsolutePath().getParent();
            Files.createDirectories(folder);
            boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
            if (posix) {
                Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
            }
            Files.writeString(log, text, StandardCharsets.UTF_8);
            if (posix) {
                Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException | CodeException e) {
            LOG.log(System.Logger.Level.WARNING, "keeping the log of container {0} in {1} failed: {2}", shortId(id),
                    log, e.getMessage());
        }
        return text;
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** A container this executor started. */
    private static final class Started implements StepHandle {
        private final DockerClient docker;
        private final String id;
        private final Duration grace;
        private final Path log;
        private volatile @Nullable String exit;

        Started(DockerClient docker, String id, Duration grace, Path log) {
            this.docker = docker;
            this.id = id;
            this.grace = grace;
            this.log = log;
        }

        @Override
        public void awaitStarted(Duration timeout) {
            if (!alive()) {
                throw new UnavailableException("container " + shortId(id) + " stopped as soon as it started: "
                        + exitDetail().orElse("it is gone"), null, null);
            }
        }

        @Override
        public boolean alive() {
            Optional<DockerClient.Container> container = docker.inspect(id);
            if (container.isPresent() && container.get().running()) {
                return true;
            }
            if (exit == null) {
                exit = container.map(this::describeExit).orElse("the container was removed");
            }
            return false;
        }

        private String describeExit(DockerClient.Container container) {
            StringBuilder detail = new StringBuilder("exit ").append(container.exitCode());
            String[] lines = copyLog(docker, id, log).lines().filter(l -> !l.isBlank()).toArray(String[]::new);
            int from = Math.max(0, lines.length - TAIL);
            if (lines.length > 0) {
                detail.append(lines.length - from == 1 ? "; last log line: " : "; last log lines: ");
                for (int k = from; k < lines.length; k++) {
                    detail.append(k > from ? " | " : "").append('\'').append(lines[k].strip()).append('\'');
                }
            }
            return detail.append("; whole log in ").append(log).toString();
        }

        @Override
        public Optional<String> exitDetail() {
            return Optional.ofNullable(exit);
        }

        @Override
        public void cancel() {
            docker.stop(id, grace);
        }
    }
}
