package org.codeengine.plugin.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.CodeException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.plugin.support.JsonBodies;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Docker Engine API calls the executor makes (version 1.41, which every daemon since 20.10 speaks), each mapped
 * onto CODE's exceptions: an unreachable daemon or a 5xx is retriable, a 4xx is not. Public (and exported to the
 * infrastructure tools only) so that the docker tools speak to the daemon through this one client.
 */
public final class DockerClient {
    static final String API = "/v1.41";
    private static final Duration QUICK = Duration.ofSeconds(30);
    private static final Duration PULL = Duration.ofMinutes(10);

    /** What inspect says about a container. */
    record Container(String id, String name, String status, boolean running, int exitCode,
            Map<String, String> labels) {}

    private final EngineHttp http;

    DockerClient(DockerHost host) {
        this.http = new EngineHttp(host);
    }

    /**
     * {@return a client of that daemon; nothing is sent yet}
     *
     * @param host {@code unix:///path/to/docker.sock} or {@code tcp://host:port}, or {@code null} for
     *        {@code DOCKER_HOST} or the default socket
     * @throws InvalidRequestException naming the setting if the address is not one this client speaks
     */
    public static DockerClient of(@Nullable String host) {
        return new DockerClient(DockerHost.of(host, System.getenv()));
    }

    /** {@return the daemon's address, as {@code DOCKER_HOST} spells it} */
    public String address() {
        return http.host().address();
    }

    /**
     * Builds an image from files alone ({@code POST /build} with a tar of them), without any registry where the
     * Dockerfile says {@code FROM scratch}.
     *
     * @param tag the image's name and tag
     * @param files the build context: a {@code Dockerfile} and the files it copies, each mode 0755
     * @throws CodeException if the daemon refuses or the build fails
     */
    public void build(String tag, Map<String, byte[]> files) {
        EngineHttp.Reply reply = call("POST", "/build?t=" + enc(tag) + "&rm=1&forcerm=1", tar(files),
                "application/x-tar", PULL);
        check(reply, "building image '" + tag + "'");
        for (String line : reply.text().split("\n")) {
            if (!line.isBlank() && parse(line).has("error")) {
                throw new InvalidRequestException("building image '" + tag + "' failed: " + parse(line).path(
                        "error").asString(), null);
            }
        }
    }

    /** A ustar archive of regular files, mode 0755. */
    static byte[] tar(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        files.forEach((name, content) -> {
            byte[] header = new byte[512];
            put(header, 0, name);
            put(header, 100, "0000755");
            put(header, 108, "0000000");
            put(header, 116, "0000000");
            put(header, 124, String.format("%011o", content.length));
            put(header, 136, String.format("%011o", 0));
            header[156] = '0';
            put(header, 257, "ustar");
            put(header, 263, "00");
            java.util.Arrays.fill(header, 148, 156, (byte) ' ');
            int sum = 0;
            for (byte b : header) {
                sum += b & 0xff;
            }
            put(header, 148, String.format("%06o", sum));
            header[154] = 0;
            header[155] = ' ';
            out.writeBytes(header);
            out.writeBytes(content);
            out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        });
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] header, int at, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, at, bytes.length);
    }

    /**
     * {@return the daemon's container summaries, as {@code GET /containers/json} gives them}
     *
     * @param all whether stopped containers count too
     */
    public JsonNode list(boolean all) {
        EngineHttp.Reply reply = call("GET", "/containers/json?all=" + (all ? 1 : 0), null, null, QUICK);
        check(reply, "listing containers");
        return parse(reply.text());
    }

    /**
     * {@return what {@code GET /containers/{id}/json} says of it, if it exists}
     *
     * @param idOrName a container
     */
    public Optional<JsonNode> inspectJson(String idOrName) {
        EngineHttp.Reply reply = call("GET", "/containers/" + enc(idOrName) + "/json", null, null, QUICK);
        if (reply.status() == 404) {
            return Optional.empty();
        }
        check(reply, "inspecting container " + idOrName);
        return Optional.of(parse(reply.text()));
    }

    DockerHost host() {
        return http.host();
    }

    /**
     * Checks that the daemon answers, within a short timeout.
     *
     * @throws UnavailableException saying which socket was tried and what to start, if the daemon does not answer
     */
    public void ping() {
        ping(QUICK);
    }

    /**
     * @param timeout the longest the ping may take once connected
     * @throws UnavailableException saying which socket was tried and what to start, if the daemon does not answer
     */
    void ping(Duration timeout) {
        EngineHttp.Reply reply = call("GET", "/_ping", null, null, timeout);
        if (reply.status() != 200) {
            throw new UnavailableException("the Docker daemon at " + host() + " answered its ping with HTTP " + reply
                    .status(), null, null);
        }
    }

    /**
     * {@return whether the image is on the daemon}
     *
     * @param image an image reference
     */
    public boolean imageExists(String image) {
        EngineHttp.Reply reply = call("GET", "/images/" + image + "/json", null, null, QUICK);
        if (reply.status() == 404) {
            return false;
        }
        check(reply, "inspecting image '" + image + "'");
        return true;
    }

    /**
     * Pulls an image; the daemon reports a failed pull inside a 200 reply, which this reads.
     *
     * @throws CodeException if the pull fails
     */
    void pull(ImageName image) {
        pull(image, null);
    }

    /**
     * Pulls an image from a registry that wants a login.
     *
     * @param credential {@code user:password}, or a JSON object of Docker's registry auth ({@code username},
     *     {@code password} or {@code identitytoken}), or {@code null} for an anonymous pull; it goes to the daemon in
     *     {@code X-Registry-Auth} and nowhere else
     * @throws InvalidRequestException if the credential is neither form
     */
    void pull(ImageName image, @Nullable Secret credential) {
        String query = "/images/create?fromImage=" + enc(image.repository()) + "&tag=" + enc(image.tagOrDigest());
        Map<String, String> headers = credential == null
                ? Map.of()
                : Map.of("X-Registry-Auth", registryAuth(credential, image.registry()));
        EngineHttp.Reply reply;
        try {
            reply = http.send("POST", API + query, null, null, headers, PULL);
        } catch (IOException e) {
            throw unreachable(e);
        }
        check(reply, "pulling image '" + image + "'");
        for (String line : reply.text().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode event = parse(line);
            if (event.has("error")) {
                throw new NotFoundException("pulling image '" + image + "' failed: " + event.path("error").asString(),
                        null);
            }
        }
    }

    /**
     * {@return the new container's id}
     *
     * @param name the container's name
     * @param config the container's configuration, as the Engine API takes it
     */
    public String create(String name, ObjectNode config) {
        EngineHttp.Reply reply = call("POST", "/containers/create?name=" + enc(name), JsonBodies.JSON
                .writeValueAsBytes(config), "application/json", QUICK);
        check(reply, "creating container '" + name + "'");
        return parse(reply.text()).path("Id").asString();
    }

    /**
     * Starts a container; starting a running one does nothing.
     *
     * @param id the container's id
     */
    public void start(String id) {
        EngineHttp.Reply reply = call("POST", "/containers/" + enc(id) + "/start", null, null, QUICK);
        if (reply.status() != 304) {
            check(reply, "starting container " + id);
        }
    }

    /** {@return the container by id or name, if it exists} */
    Optional<Container> inspect(String idOrName) {
        EngineHttp.Reply reply = call("GET", "/containers/" + enc(idOrName) + "/json", null, null, QUICK);
        if (reply.status() == 404) {
            return Optional.empty();
        }
        check(reply, "inspecting container " + idOrName);
        JsonNode c = parse(reply.text());
        JsonNode state = c.path("State");
        Map<String, String> labels = new java.util.HashMap<>();
        c.path("Config").path("Labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
        return Optional.of(new Container(c.path("Id").asString(), c.path("Name").asString().replaceFirst("^/", ""),
                state.path("Status").asString(), state.path("Running").asBoolean(), state.path("ExitCode").asInt(),
                labels));
    }

    /**
     * Stops a container, giving it {@code grace} after SIGTERM; a stopped or missing one is not an error.
     *
     * @param id the container's id
     * @param grace how long it may take to end after SIGTERM
     */
    public void stop(String id, Duration grace) {
        long seconds = Math.max(0, (grace.toMillis() + 999) / 1000);
        EngineHttp.Reply reply = call("POST", "/containers/" + enc(id) + "/stop?t=" + seconds, null, null, QUICK.plus(
                Duration.ofSeconds(seconds)));
        if (reply.status() != 304 && reply.status() != 404) {
            check(reply, "stopping container " + id);
        }
    }

    /**
     * Removes a container and its anonymous volumes; a missing one is not an error.
     *
     * @param id the container's id
     */
    public void remove(String id) {
        EngineHttp.Reply reply = call("DELETE", "/containers/" + enc(id) + "?force=true&v=true", null, null, QUICK);
        if (reply.status() != 404 && !(reply.status() == 409 && reply.text().contains("already in progress"))) {
            check(reply, "removing container " + id);
        }
    }

    /**
     * {@return the container's output, stdout and stderr interleaved, as the daemon keeps it}
     *
     * @param id the container's id
     * @param tail how many lines from the end, or null for all
     */
    public String logs(String id, @Nullable Integer tail) {
        EngineHttp.Reply reply = call("GET", "/containers/" + enc(id) + "/logs?stdout=1&stderr=1" + (tail == null
                ? ""
                : "&tail=" + tail), null, null, QUICK);
        check(reply, "reading the log of container " + id);
        return demultiplex(reply.body());
    }

    /** {@return the ids of the containers, running or not, that carry every one of the labels} */
    List<String> containersLabelled(Map<String, String> labels) {
        List<String> filter = new ArrayList<>();
        labels.forEach((k, v) -> filter.add(k + "=" + v));
        String filters = JsonBodies.JSON.writeValueAsString(Map.of("label", filter));
        EngineHttp.Reply reply = call("GET", "/containers/json?all=1&filters=" + enc(filters), null, null, QUICK);
        check(reply, "listing containers");
        List<String> ids = new ArrayList<>();
        parse(reply.text()).forEach(c -> ids.add(c.path("Id").asString()));
        return ids;
    }

    /**
     * Sends one request; an unreachable daemon becomes an {@link UnavailableException} that says which socket was
     * tried and what to do.
     */
    EngineHttp.Reply call(String method, String path, byte @Nullable [] body, @Nullable String type,
            Duration timeout) {
        try {
            return http.send(method, API + path, body, type, timeout);
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private UnavailableException unreachable(IOException e) {
        return new UnavailableException("the Docker daemon at " + host() + " is not reachable (" + (e
                .getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "): start dockerd, or"
                + " point DOCKER_HOST or the setting 'host' at a running daemon", null, e);
    }

    /** {@return the {@code X-Registry-Auth} header's value: Docker's auth object as base64url JSON} */
    static String registryAuth(Secret credential, String registry) {
        String text = credential.reveal().strip();
        ObjectNode auth = JsonBodies.object();
        if (text.startsWith("{")) {
            JsonNode given;
            try {
                given = JsonBodies.JSON.readTree(text);
            } catch (JacksonException e) {
                throw new InvalidRequestException("the registry credential is not a JSON object (its text is not"
                        + " shown)", null);
            }
            for (String field : List.of("username", "password", "identitytoken")) {
                if (given.path(field).isString()) {
                    auth.put(field, given.path(field).asString());
                }
            }
            if (!auth.has("identitytoken") && !(auth.has("username") && auth.has("password"))) {
                throw new InvalidRequestException("the registry credential must hold username and password, or"
                        + " identitytoken", null);
            }
        } else {
            int colon = text.indexOf(':');
            if (colon <= 0) {
                throw new InvalidRequestException("the registry credential must be user:password or a JSON object"
                        + " (its text is not shown)", null);
            }
            auth.put("username", text.substring(0, colon)).put("password", text.substring(colon + 1));
        }
        auth.put("serveraddress", registry);
        return Base64.getUrlEncoder().encodeToString(JsonBodies.JSON.writeValueAsBytes(auth));
    }

    private void check(EngineHttp.Reply reply, String what) {
        int status = reply.status();
        if (status >= 200 && status < 300) {
            return;
        }
        String message = what + " on " + host() + " failed with HTTP " + status + ": " + daemonMessage(reply);
        if (status == 404) {
            throw new NotFoundException(message, null);
        }
        if (status >= 500) {
            throw new UnavailableException(message, null, null);
        }
        throw new InvalidRequestException(message, null);
    }

    private static String daemonMessage(EngineHttp.Reply reply) {
        try {
            JsonNode node = JsonBodies.JSON.readTree(reply.body());
            if (node.has("message")) {
                return node.path("message").asString();
            }
        } catch (JacksonException e) {
            // not JSON: the text itself, shortened
        }
        String text = reply.text().strip();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }

    private JsonNode parse(String text) {
        return JsonBodies.parse(text, "the Docker daemon at " + host());
    }

    /**
     * Turns the daemon's multiplexed stream (an 8-byte header per frame: stream, 3 zero bytes, big-endian length)
     * into text. A container with a TTY sends raw text, which is kept as it is.
     */
    static String demultiplex(byte[] raw) {
        if (raw.length < 8 || raw[0] > 2 || raw[1] != 0 || raw[2] != 0 || raw[3] != 0) {
            return new String(raw, StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        int at = 0;
        while (at + 8 <= raw.length) {
            int length = ((raw[at + 4] & 0xff) << 24) | ((raw[at + 5] & 0xff) << 16) | ((raw[at + 6] & 0xff) << 8)
                    | (raw[at + 7] & 0xff);
            int end = (int) Math.min(raw.length, (long) at + 8 + length);
            text.write(raw, at + 8, end - at - 8);
            at = end;
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
