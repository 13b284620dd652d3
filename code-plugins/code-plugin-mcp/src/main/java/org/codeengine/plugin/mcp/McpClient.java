package org.codeengine.plugin.mcp;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.codeengine.api.Secret;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.CallTracer;
import org.codeengine.plugin.mcp.internal.Json;
import org.codeengine.plugin.mcp.internal.Peer;
import org.codeengine.plugin.mcp.internal.Protocol;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An MCP client connected to one server, over Streamable HTTP ({@link Builder#connect(URI)}) or stdio
 * ({@link Builder#connectStdio(List)}). Connecting initializes the session and negotiates the revision; the client
 * then lists and calls tools, reads resources, gets prompts, and answers the server's sampling, elicitation and roots
 * requests with the handlers it was built with. Thread-safe; close it when done.
 */
public final class McpClient implements AutoCloseable {
    /** Answers {@code sampling/createMessage}: the params in, the result ({@code role}, {@code content}, ...) out. */
    @FunctionalInterface
    public interface SamplingHandler {
        JsonNode sample(ObjectNode params) throws Exception;
    }

    /**
     * Answers {@code elicitation/create} (form mode): returns {@code {"action":"accept","content":{...}}}, or decline
     * or cancel. The client fills in each field the content leaves out with the schema's default.
     */
    @FunctionalInterface
    public interface ElicitationHandler {
        JsonNode elicit(String message, ObjectNode requestedSchema) throws Exception;
    }

    /**
     * A root the client offers the server.
     *
     * @param uri a {@code file://} URI
     * @param name a display name, or null
     */
    public record Root(URI uri, @Nullable String name) {
        /** @throws IllegalArgumentException if {@code uri} is null */
        public Root {
            if (uri == null) {
                throw new IllegalArgumentException("uri must not be null");
            }
        }
    }

    private final Peer peer;
    private final ClientTransports.Transport transport;
    private final Duration timeout;
    private final List<Root> roots;
    /** The error a stateless server answers a request for a revision it does not speak with. */
    private static final int UNSUPPORTED_VERSION = -32022;
    /** The most {@code input_required} results one request may get before the client gives up. */
    private static final int MAX_INPUT_ROUNDS = 16;
    private final ObjectNode capabilities = Json.object();
    private final ObjectNode clientInfo = Json.object();
    private volatile boolean stateless;
    private volatile String version = Protocol.LATEST;
    private JsonNode serverInfo = Json.object();
    private JsonNode serverCapabilities = Json.object();

    private McpClient(Builder b, ClientTransports.Transport transport) {
        this.transport = transport;
        this.timeout = b.timeout;
        this.roots = new CopyOnWriteArrayList<>(b.roots);
        this.peer = new Peer(transport);
        capabilities.putObject("roots").put("listChanged", true);
        if (b.sampling != null) {
            ObjectNode sampling = capabilities.putObject("sampling");
            if (b.samplingTools) {
                sampling.putObject("tools");
            }
        }
        if (b.elicitation != null) {
            capabilities.putObject("elicitation").putObject("form");
        }
        clientInfo.put("name", b.name).put("version", b.version);
        peer.handle("ping", r -> Json.object());
        SamplingHandler sampling = b.sampling;
        if (sampling != null) {
            peer.handle("sampling/createMessage", r -> sampling.sample(r.params()));
        }
        ElicitationHandler elicitation = b.elicitation;
        if (elicitation != null) {
            peer.handle("elicitation/create", r -> elicit(elicitation, r.params()));
        }
        peer.handle("roots/list", r -> {
            ObjectNode result = Json.object();
            ArrayNode array = result.putArray("roots");
            for (Root root : this.roots) {
                ObjectNode node = array.addObject().put("uri", root.uri().toString());
                if (root.name() != null) {
                    node.put("name", root.name());
                }
            }
            return result;
        });
        for (String method : List.of("notifications/message", "notifications/resources/updated",
                "notifications/tools/list_changed", "notifications/resources/list_changed",
                "notifications/prompts/list_changed")) {
            peer.onNotification(method, (p, params) -> b.listeners.forEach(l -> l.accept(method, params)));
        }
        transport.bind(peer);
    }

    private static JsonNode elicit(ElicitationHandler handler, ObjectNode params) throws Exception {
        String message = Json.required(params, "message");
        JsonNode schema = params.get("requestedSchema");
        if (schema == null || !schema.isObject()) {
            throw new McpException(McpException.INVALID_PARAMS, "params.requestedSchema must be an object", null);
        }
        JsonNode answer = handler.elicit(message, (ObjectNode) schema);
        if (!answer.isObject()) {
            throw new McpException(McpException.INTERNAL_ERROR, "the elicitation handler gave no object", null);
        }
        ObjectNode result = ((ObjectNode) answer).deepCopy();
        if ("accept".equals(Json.text(result, "action"))) {
            ObjectNode content = result.has("content") && result.get("content").isObject()
                    ? (ObjectNode) result.get("content")
                    : result.putObject("content");
            for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
                JsonNode fallback = property.getValue().get("default");
                if (fallback != null && !content.has(property.getKey())) {
                    content.set(property.getKey(), fallback);
                }
            }
        }
        return result;
    }

    /** {@return a builder with no handlers, a 60-second timeout and no OAuth} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Over HTTP, asks {@code server/discover} in the stateless revision first; a server that answers it with that
     * revision among its {@code supportedVersions} is spoken to statelessly, any other answer (an error, a refusal, a
     * result without the revision) means a server of the handshake revisions, which gets {@code initialize}.
     */
    private void initialize(Builder b) {
        if ((b.revision == null || b.revision.equals(Protocol.STATELESS)) && transport.discovers() && discover()) {
            return;
        }
        if (Protocol.STATELESS.equals(b.revision)) {
            throw new UnavailableException("the MCP server does not speak revision " + Protocol.STATELESS
                    + ", the one this client was pinned to", null, null);
        }
        ObjectNode params = Json.object().put("protocolVersion", b.revision == null ? Protocol.LATEST : b.revision);
        params.set("capabilities", capabilities.deepCopy());
        params.set("clientInfo", clientInfo.deepCopy());
        JsonNode result = request("initialize", params);
        String negotiated = Json.text(result, "protocolVersion");
        if (negotiated == null || !Protocol.VERSIONS.contains(negotiated)) {
            throw new UnavailableException("the MCP server speaks revision " + negotiated + ", none of "
                    + Protocol.VERSIONS, null, null);
        }
        version = negotiated;
        serverInfo = result.path("serverInfo");
        serverCapabilities = result.path("capabilities");
        peer.batches(false);
        transport.negotiated(negotiated);
        peer.notify("notifications/initialized", Json.object());
    }

    /** {@return whether the server speaks the stateless revision; then every request carries the client's _meta} */
    private boolean discover() {
        for (int attempt = 0; attempt < 2; attempt++) {
            JsonNode result;
            try {
                result = peer.call(transport, "server/discover", meta(Json.object(), Protocol.STATELESS), timeout,
                        null);
            } catch (McpException e) {
                if (e.code() == UNSUPPORTED_VERSION && attempt == 0 && e.data() != null && Json.contains(e.data().path(
                        "supported"), Protocol.STATELESS)) {
                    continue; // the server names the revision it refused: once more, as it says
                }
                return false;
            } catch (UnavailableException e) {
                return false;
            }
            if (!Json.contains(result.path("supportedVersions"), Protocol.STATELESS)) {
                return false;
            }
            stateless = true;
            version = Protocol.STATELESS;
            JsonNode info = result.has("serverInfo")
                    ? result.get("serverInfo")
                    : result.path("_meta").path("io.modelcontextprotocol/serverInfo");
            serverInfo = info.isObject() ? info : Json.object();
            serverCapabilities = result.path("capabilities");
            transport.negotiated(Protocol.STATELESS);
            return true;
        }
        return false;
    }

    /**
     * {@return {@code params} with the client's version, capabilities and info in its {@code _meta}, as the stateless
     *         revision wants on every request}
     */
    private ObjectNode meta(ObjectNode params, String revision) {
        ObjectNode meta = params.has("_meta") && params.get("_meta").isObject()
                ? (ObjectNode) params.get("_meta")
                : params.putObject("_meta");
        meta.put(Protocol.META_VERSION, revision);
        meta.set(Protocol.META_CAPABILITIES, capabilities.deepCopy());
        meta.set(Protocol.META_CLIENT_INFO, clientInfo.deepCopy());
        return params;
    }

    /**
     * Sends a request and waits for its result. On the stateless revision a result of type {@code input_required}
     * names requests for this side (elicitation, sampling, roots): the client answers them with its handlers and sends
     * the request again, as a new request with the answers in {@code inputResponses} and the server's
     * {@code requestState} as it came, until the result is complete.
     */
    private JsonNode call(String method, ObjectNode params, @Nullable BiConsumer<Double, ObjectNode> progress) {
        CallTracer tracer = CallTracer.CURRENT.isBound() ? CallTracer.CURRENT.get() : null;
        if (tracer == null) {
            return untraced(method, params, progress);
        }
        ObjectNode meta = params.has("_meta") && params.get("_meta").isObject()
                ? (ObjectNode) params.get("_meta")
                : params.putObject("_meta");
        CallTracer.Call call = tracer.outgoing("code.mcp.client.requests", Map.of("method", method), meta::put);
        try {
            JsonNode result = untraced(method, params, progress);
            call.end("success", null);
            return result;
        } catch (RuntimeException | Error e) {
            call.end("error", e);
            throw e;
        }
    }

    /**
     * {@link #call}, whose trace headers, under a {@link CallTracer} (the engine binds one around each tool call), are
     * already in {@code params._meta} (SEP-414: {@code traceparent}, {@code tracestate}).
     */
    private JsonNode untraced(String method, ObjectNode params, @Nullable BiConsumer<Double, ObjectNode> progress) {
        if (!stateless) {
            return peer.call(transport, method, params, timeout, progress);
        }
        ObjectNode sent = params;
        for (int round = 0;; round++) {
            JsonNode result = peer.call(transport, method, meta(sent, version), timeout, progress);
            if (!"input_required".equals(Json.text(result, "resultType"))) {
                return result;
            }
            if (round >= MAX_INPUT_ROUNDS) {
                throw new McpException(McpException.INTERNAL_ERROR, "the server asked for input " + MAX_INPUT_ROUNDS
                        + " times in a row for one " + method, null);
            }
            ObjectNode retry = params.deepCopy();
            retry.remove("requestState");
            ObjectNode responses = retry.putObject("inputResponses");
            for (Map.Entry<String, JsonNode> asked : result.path("inputRequests").properties()) {
                JsonNode request = asked.getValue();
                String wanted = Json.text(request, "method");
                if (wanted == null) {
                    throw new McpException(McpException.INVALID_PARAMS, "inputRequests." + asked.getKey()
                            + ".method must be a string", null);
                }
                JsonNode inner = request.path("params");
                responses.set(asked.getKey(), answerLocally(wanted, inner.isObject()
                        ? (ObjectNode) inner
                        : Json.object()));
            }
            JsonNode state = result.get("requestState");
            if (state != null) {
                retry.set("requestState", state);
            }
            sent = retry;
        }
    }

    private JsonNode answerLocally(String method, ObjectNode params) {
        try {
            return peer.local(method, params);
        } catch (McpException | UnavailableException e) {
            throw e;
        } catch (Exception e) {
            throw new McpException(McpException.INTERNAL_ERROR, "answering the server's " + method + " failed", null);
        }
    }

    /** {@return the revision the session speaks} */
    public String protocolVersion() {
        return version;
    }

    /** {@return the server's {@code serverInfo}} */
    public JsonNode serverInfo() {
        return serverInfo;
    }

    /** {@return the server's capabilities} */
    public JsonNode serverCapabilities() {
        return serverCapabilities;
    }

    /**
     * Sends any request and waits for its result.
     *
     * @throws McpException if the server answers with an error
     * @throws org.codeengine.api.DeadlineExceededException if no answer comes within the timeout
     * @throws UnavailableException if the server cannot be reached
     */
    public JsonNode request(String method, ObjectNode params) {
        return call(method, params, null);
    }

    /** Checks that the server answers. */
    public void ping() {
        request("ping", Json.object());
    }

    /**
     * {@return every tool of the server, following the pages; on the stateless revision without the tools whose
     *         {@code x-mcp-header} annotations are invalid (such a tool must not be called)}
     */
    public List<JsonNode> listTools() {
        List<JsonNode> tools = all("tools/list", "tools");
        RequestHeaders headers = transport.headers();
        if (stateless && headers != null) {
            tools.removeIf(tool -> !headers.learn(tool));
        }
        return tools;
    }

    /** {@return every resource of the server} */
    public List<JsonNode> listResources() {
        return all("resources/list", "resources");
    }

    /** {@return every prompt of the server} */
    public List<JsonNode> listPrompts() {
        return all("prompts/list", "prompts");
    }

    private List<JsonNode> all(String method, String field) {
        List<JsonNode> items = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < 10_000; page++) {
            ObjectNode params = Json.object();
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonNode result = request(method, params);
            result.path(field).forEach(items::add);
            cursor = Json.text(result, "nextCursor");
            if (cursor == null) {
                break;
            }
        }
        return items;
    }

    /**
     * Calls a tool.
     *
     * @param name the tool
     * @param arguments its arguments (an object)
     * @return the result; a tool's own failure has {@code isError}
     * @throws McpException if the server refuses the call (unknown tool, bad params)
     */
    public McpToolResult callTool(String name, JsonNode arguments) {
        return callTool(name, arguments, null);
    }

    /**
     * Calls a tool and listens to its progress.
     *
     * @param progress told of each {@code notifications/progress} (progress, params), or null
     */
    public McpToolResult callTool(String name, JsonNode arguments, @Nullable BiConsumer<Double, ObjectNode> progress) {
        ObjectNode params = Json.object().put("name", name);
        params.set("arguments", arguments);
        JsonNode result = call("tools/call", params, progress);
        List<ObjectNode> content = new ArrayList<>();
        result.path("content").forEach(c -> {
            if (c.isObject()) {
                content.add((ObjectNode) c);
            }
        });
        JsonNode structured = result.get("structuredContent");
        return new McpToolResult(content, structured, result.path("isError").asBoolean(false));
    }

    /** {@return the resource's {@code contents}} */
    public JsonNode readResource(String uri) {
        return request("resources/read", Json.object().put("uri", uri)).path("contents");
    }

    /** {@return the prompt's result: {@code description} and {@code messages}} */
    public JsonNode getPrompt(String name, Map<String, String> arguments) {
        ObjectNode params = Json.object().put("name", name);
        ObjectNode args = params.putObject("arguments");
        arguments.forEach(args::put);
        return request("prompts/get", params);
    }

    /** @param level the least severe log level the server should send */
    public void setLoggingLevel(String level) {
        request("logging/setLevel", Json.object().put("level", level));
    }

    /** Asks for {@code notifications/resources/updated} about {@code uri}. */
    public void subscribe(String uri) {
        request("resources/subscribe", Json.object().put("uri", uri));
    }

    /** Replaces the roots and tells the server they changed. */
    public void roots(List<Root> newRoots) {
        roots.clear();
        roots.addAll(newRoots);
        peer.notify("notifications/roots/list_changed", Json.object());
    }

    /**
     * {@return this client as a CODE tool provider: its tools appear in a tool registry and are called through it}
     *
     * @param name the tool provider's name in CODE
     */
    public McpToolProvider asToolProvider(String name) {
        return new McpToolProvider(name, this);
    }

    /** Ends the session (DELETE over HTTP, closing stdin over stdio) and fails what still waits. */
    @Override
    public void close() {
        peer.close();
        transport.close();
    }

    @Override
    public String toString() {
        return "McpClient[" + serverInfo.path("name").asString("?") + ", revision=" + version + "]";
    }

    /** Collects the client's handlers and settings. Not thread-safe. */
    public static final class Builder {
        private String name = "code";
        private String version = "0.1.0";
        private @Nullable SamplingHandler sampling;
        private boolean samplingTools;
        private @Nullable ElicitationHandler elicitation;
        private final List<Root> roots = new ArrayList<>();
        private final List<BiConsumer<String, ObjectNode>> listeners = new ArrayList<>();
        private Duration timeout = Duration.ofSeconds(60);
        private @Nullable McpOAuth oauth;
        private @Nullable Secret bearer;
        private @Nullable String revision;

        private Builder() {}

        /**
         * Pins the protocol revision instead of taking the newest the server offers: the stateless
         * {@code 2026-07-28}, or one of the handshake revisions ({@code 2025-11-25}, {@code 2025-06-18},
         * {@code 2025-03-26}), which keep a session (resumable streams, a GET stream, DELETE at close).
         *
         * @return this builder
         * @throws IllegalArgumentException if CODE does not speak {@code value}
         */
        public Builder revision(String value) {
            if (!Protocol.STATELESS.equals(value) && !Protocol.VERSIONS.contains(value)) {
                throw new IllegalArgumentException("revision must be " + Protocol.STATELESS + " or one of "
                        + Protocol.VERSIONS + " but was " + value);
            }
            this.revision = value;
            return this;
        }

        /** {@return this builder, with the name and version sent as {@code clientInfo}} */
        public Builder info(String clientName, String clientVersion) {
            if (clientName == null || clientName.isBlank() || clientVersion == null || clientVersion.isBlank()) {
                throw new IllegalArgumentException("name and version must not be blank");
            }
            this.name = clientName;
            this.version = clientVersion;
            return this;
        }

        /** {@return this builder, declaring sampling and answering it with {@code handler}} */
        public Builder sampling(SamplingHandler handler) {
            this.sampling = require(handler, "sampling");
            return this;
        }

        /**
         * Declares sampling with tools ({@code sampling.tools}, SEP-1577): the server may send {@code tools} and
         * {@code toolChoice}, and the handler answers with {@code tool_use} blocks when the model calls one; the
         * results come back as {@code tool_result} blocks.
         *
         * @return this builder, declaring sampling with tools and answering it with {@code handler}
         */
        public Builder samplingWithTools(SamplingHandler handler) {
            this.sampling = require(handler, "sampling");
            this.samplingTools = true;
            return this;
        }

        /** {@return this builder, declaring elicitation (form mode) and answering it with {@code handler}} */
        public Builder elicitation(ElicitationHandler handler) {
            this.elicitation = require(handler, "elicitation");
            return this;
        }

        /** {@return this builder, offering {@code root} in {@code roots/list}} */
        public Builder root(Root root) {
            roots.add(require(root, "root"));
            return this;
        }

        /** {@return this builder; {@code listener} hears log messages, resource updates and list changes} */
        public Builder onNotification(BiConsumer<String, ObjectNode> listener) {
            listeners.add(require(listener, "listener"));
            return this;
        }

        /** {@return this builder, waiting at most {@code value} for each answer (and each quiet stretch of a stream)} */
        public Builder timeout(Duration value) {
            if (value == null || !value.isPositive()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = value;
            return this;
        }

        /** {@return this builder, getting OAuth tokens as {@code config} says when an HTTP server asks for them} */
        public Builder oauth(McpOAuth config) {
            this.oauth = require(config, "oauth");
            return this;
        }

        /**
         * Sends a credential got elsewhere (a CODE API key, or an access token issued out of band) as
         * {@code Authorization: Bearer} on every HTTP request, for a server that takes a fixed credential; a server
         * that refuses it fails the call with an {@link org.codeengine.api.AuthenticationException}. Not with
         * {@link #oauth}, which gets and renews its tokens itself.
         *
         * @return this builder
         */
        public Builder bearer(Secret token) {
            this.bearer = require(token, "bearer");
            return this;
        }

        /**
         * Connects over Streamable HTTP and initializes.
         *
         * @param endpoint the server's MCP endpoint
         * @return the connected client
         * @throws UnavailableException if the server cannot be reached or speaks no common revision
         * @throws org.codeengine.api.AuthenticationException if authorization fails
         */
        public McpClient connect(URI endpoint) {
            if (oauth != null && bearer != null) {
                throw new IllegalStateException("bearer and oauth exclude each other: a fixed token, or tokens the"
                        + " OAuth flow gets");
            }
            return start(new ClientTransports.Http(require(endpoint, "endpoint"), oauth, bearer, timeout));
        }

        /**
         * Starts the server as a child process, talks to it over its stdin and stdout, and initializes.
         *
         * @param command the program and its arguments
         * @return the connected client
         * @throws UnavailableException if it cannot be started or does not answer
         */
        public McpClient connectStdio(List<String> command) {
            if (command == null || command.isEmpty()) {
                throw new IllegalArgumentException("command must not be empty");
            }
            return start(new ClientTransports.Stdio(List.copyOf(command)));
        }

        private McpClient start(ClientTransports.Transport transport) {
            McpClient client = new McpClient(this, transport);
            try {
                client.initialize(this);
                return client;
            } catch (RuntimeException e) {
                client.close();
                throw e;
            }
        }

        private static <T> T require(T value, String field) {
            if (value == null) {
                throw new IllegalArgumentException(field + " must not be null");
            }
            return value;
        }
    }
}
