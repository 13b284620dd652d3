package org.codeengine.plugin.tools.infra;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.codeengine.api.CodeException;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.docker.DockerClient;
import org.codeengine.plugin.support.CatalogueTools;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.ToolKit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code docker} tool provider, speaking to the daemon through the docker plugin's client: {@code docker_ps},
 * {@code docker_logs}, {@code docker_inspect} read; {@code docker_run} starts a container from an image already on
 * the daemon (nothing is pulled) with no privileges, every capability dropped, no new privileges and the configured
 * network; {@code docker_stop} stops only containers {@code docker_run} started, unless the host allows any.
 * {@code docker_inspect} shows environment variable names, never their values.
 *
 * <p>Settings ({@code tools.docker}): {@code host} ({@code DOCKER_HOST} or the default socket), {@code network}
 * ({@code none}), {@code stop-any} (false).
 */
public final class DockerToolProvider extends CatalogueTools {
    static final String WHERE = "tools.docker";
    /** The label docker_run puts on the containers it starts. */
    static final String LABEL = "org.codeengine.tool";

    private final @Nullable DockerClient docker;
    private final String network;
    private final boolean stopAny;

    /** The provider as ServiceLoader makes it: not configured. */
    public DockerToolProvider() {
        this(null, "none", false);
    }

    private DockerToolProvider(@Nullable DockerClient docker, String network, boolean stopAny) {
        super("docker");
        this.docker = docker;
        this.network = network;
        this.stopAny = stopAny;
    }

    @Override
    public ToolProvider configured(ToolSettings settings) {
        JsonNode s = settings.settings();
        String network = ToolKit.settingText(s, WHERE, "network");
        DockerClient client;
        try {
            client = DockerClient.of(ToolKit.settingText(s, WHERE, "host"));
        } catch (CodeException e) {
            throw new org.codeengine.api.ConfigurationException(e.getMessage().replace("setting 'host'",
                    "setting " + WHERE + ".host"), null);
        }
        return new DockerToolProvider(client, network == null ? "none" : network, s.path("stop-any").asBoolean(
                false));
    }

    @Override
    protected boolean configuredYet() {
        return docker != null;
    }

    @Override
    public Optional<String> unavailable() {
        DockerClient client = docker == null ? DockerClient.of(null) : docker;
        try {
            client.ping();
            return Optional.empty();
        } catch (CodeException e) {
            return Optional.of("no Docker daemon answers: " + e.getMessage());
        }
    }

    @Override
    public List<ToolDescriptor> tools() {
        ObjectNode ps = ToolKit.schema().flag("all", "Include stopped containers").build();
        ObjectNode container = ToolKit.schema().string("container", "A container's id or name", true).build();
        ObjectNode logs = ToolKit.schema().string("container", "A container's id or name", true).integer("tail",
                "Lines from the end (default 200)", 1, 10_000).build();
        ToolKit.Schema run = ToolKit.schema().string("image", "An image already on the daemon (nothing is pulled)",
                true).string("name", "The container's name (default: code-tool-<random>)", false);
        run.property("command", "array", "The command and its arguments (argv, no shell)", false).putObject("items")
                .put("type", "string");
        run.property("env", "object", "Environment variables", false).putObject("additionalProperties").put("type",
                "string");
        ObjectNode stop = ToolKit.schema().string("container", "A container docker_run started", true).integer(
                "timeout_seconds", "Seconds between SIGTERM and SIGKILL (default 10)", 0, 300).build();
        ObjectNode listOut = ToolKit.schema().build();
        listOut.withObject("properties").putObject("containers").put("type", "array");
        ObjectNode logsOut = ToolKit.schema().string("container", "The container", true).string("logs",
                "stdout and stderr", true).build();
        ObjectNode inspectOut = ToolKit.schema().string("id", "Its id", true).string("name", "Its name", true)
                .string("image", "Its image", true).string("status", "created, running, exited...", true).build();
        ObjectNode runOut = ToolKit.schema().string("id", "The new container's id", true).string("name",
                "Its name", true).build();
        ObjectNode stopOut = ToolKit.schema().string("container", "The container", true).string("status",
                "Its status afterwards", true).build();
        return List.of(new ToolDescriptor("docker_ps", "Lists Docker containers.", ps, listOut, ToolAnnotations
                .readOnly(false)), new ToolDescriptor("docker_logs", "Reads a container's output.", logs, logsOut,
                        ToolAnnotations.readOnly(false)),
                new ToolDescriptor("docker_inspect",
                        "Describes a container (environment variable names only, never values).",
                        container, inspectOut, ToolAnnotations.readOnly(false)),
                new ToolDescriptor(
                        "docker_run", "Starts a container from a local image, unprivileged, all"
                                + " capabilities dropped, on the configured network.",
                        run.build(),
                        runOut, new ToolAnnotations(false, true, false, false)),
                new ToolDescriptor(
                        "docker_stop", "Stops a container that docker_run started.", stop,
                        stopOut, ToolAnnotations.destructive(true, false)));
    }

    @Override
    protected ToolResult run(String tool, JsonNode args, ToolContext context) {
        DockerClient client = java.util.Objects.requireNonNull(docker);
        try {
            return ToolKit.success(switch (tool) {
                case "docker_ps" -> ps(client, args);
                case "docker_logs" -> JsonBodies.object().put("container", ToolKit.text(args, "container")).put(
                        "logs", client.logs(existing(client, args).path("Id").asString(), (int) ToolKit.number(args,
                                "tail", 200, 1, 10_000)));
                case "docker_inspect" -> inspect(existing(client, args));
                case "docker_run" -> start(client, args);
                default -> stop(client, args);
            });
        } catch (CodeException e) {
            return ToolKit.failure(tool + " failed: " + e.getMessage());
        }
    }

    private static ObjectNode ps(DockerClient client, JsonNode args) {
        ObjectNode out = JsonBodies.object();
        ArrayNode list = out.putArray("containers");
        for (JsonNode c : client.list(args.path("all").asBoolean(false))) {
            ObjectNode row = list.addObject().put("id", c.path("Id").asString().substring(0, 12)).put("image", c
                    .path("Image").asString()).put("state", c.path("State").asString()).put("status", c.path(
                            "Status").asString());
            ArrayNode names = row.putArray("names");
            c.path("Names").forEach(n -> names.add(n.asString().replaceFirst("^/", "")));
        }
        return out;
    }

    private static JsonNode existing(DockerClient client, JsonNode args) {
        String container = ToolKit.text(args, "container");
        return client.inspectJson(container).orElseThrow(() -> ToolKit.fail("argument 'container' names '"
                + container + "', which is no container on the daemon"));
    }

    private static ObjectNode inspect(JsonNode c) {
        JsonNode state = c.path("State");
        ObjectNode out = JsonBodies.object().put("id", c.path("Id").asString()).put("name", c.path("Name")
                .asString().replaceFirst("^/", "")).put("image", c.path("Config").path("Image").asString()).put(
                        "status", state.path("Status").asString())
                .put("running", state.path("Running").asBoolean())
                .put("exit_code", state.path("ExitCode").asInt()).put("started_at", state.path("StartedAt")
                        .asString())
                .put("network_mode", c.path("HostConfig").path("NetworkMode").asString());
        out.set("command", c.path("Config").path("Cmd"));
        out.set("labels", c.path("Config").path("Labels"));
        ArrayNode env = out.putArray("env_names");
        c.path("Config").path("Env").forEach(e -> env.add(e.asString().split("=", 2)[0]));
        return out;
    }

    private ObjectNode start(DockerClient client, JsonNode args) {
        String image = ToolKit.text(args, "image");
        if (!client.imageExists(image)) {
            throw ToolKit.fail("argument 'image' names '" + image + "', which is not on the daemon; docker_run pulls"
                    + " nothing");
        }
        String name = ToolKit.optionalText(args, "name");
        if (name == null) {
            name = "code-tool-" + UUID.randomUUID().toString().substring(0, 8);
        } else if (!name.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}")) {
            throw ToolKit.fail("argument 'name' must match [a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");
        }
        ObjectNode config = JsonBodies.object().put("Image", image);
        config.putObject("Labels").put(LABEL, "docker_run");
        JsonNode command = args.path("command");
        if (command.isArray()) {
            ArrayNode cmd = config.putArray("Cmd");
            command.forEach(part -> cmd.add(part.asString()));
        }
        if (args.path("env").isObject()) {
            ArrayNode env = config.putArray("Env");
            for (Map.Entry<String, JsonNode> e : args.path("env").properties()) {
                if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw ToolKit.fail("argument 'env' holds '" + e.getKey() + "', which is not a variable name");
                }
                env.add(e.getKey() + "=" + e.getValue().asString());
            }
        }
        ObjectNode host = config.putObject("HostConfig").put("Privileged", false).put("NetworkMode", network);
        host.putArray("CapDrop").add("ALL");
        host.putArray("SecurityOpt").add("no-new-privileges");
        String id = client.create(name, config);
        client.start(id);
        return JsonBodies.object().put("id", id).put("name", name);
    }

    private ObjectNode stop(DockerClient client, JsonNode args) {
        JsonNode c = existing(client, args);
        if (!stopAny && !"docker_run".equals(c.path("Config").path("Labels").path(LABEL).asString(""))) {
            throw ToolKit.fail("argument 'container' names a container docker_run did not start; docker_stop stops"
                    + " only those unless setting " + WHERE + ".stop-any is true");
        }
        String id = c.path("Id").asString();
        client.stop(id, Duration.ofSeconds(ToolKit.number(args, "timeout_seconds", 10, 0, 300)));
        return JsonBodies.object().put("container", ToolKit.text(args, "container")).put("status", client
                .inspectJson(id).map(j -> j.path("State").path("Status").asString()).orElse("removed"));
    }
}
