package org.codeengine.plugin.mcp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.CallTracer;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.mcp.McpRequestContext.InputRequest;
import org.codeengine.plugin.mcp.internal.Json;
import org.codeengine.plugin.mcp.internal.Peer;
import org.codeengine.plugin.mcp.internal.Protocol;
import org.codeengine.schema.JsonSchema;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** One client's session with an {@link McpServer}: the lifecycle and every server method, on a {@link Peer}. */
final class ServerSession {
    private static final Duration SAMPLING_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ELICITATION_TIMEOUT = Duration.ofMinutes(10);
    /** The most resources one session watches. */
    static final int MAX_SUBSCRIPTIONS = 1_000;
    /** The longest URI a session watches, in characters. */
    static final int MAX_SUBSCRIBED_URI = 8_192;

    private final McpServer server;
    private final String id;
    private final Peer peer;
    private final @Nullable Principal principal;
    private final Set<String> subscriptions = ConcurrentHashMap.newKeySet();
    private volatile String version = Protocol.LATEST;
    private volatile JsonNode clientCapabilities = Json.object();
    private volatile boolean initialized;
    private volatile int minSeverity = 0;
    private final boolean stateless;

    /** The methods whose handlers may answer {@code input_required} on the stateless wire (SEP-2322). */
    private static final Set<String> INPUT_METHODS = Set.of("tools/call", "prompts/get", "resources/read");
    /** The methods whose results carry caching hints on the stateless wire (SEP-2549). */
    private static final Set<String> CACHEABLE = Set.of("server/discover", "tools/list", "prompts/list",
            "resources/list", "resources/templates/list", "resources/read", "skills/list", "skills/get");

    ServerSession(McpServer server, String id, Peer.Sink outbound, @Nullable Principal principal) {
        this(server, id, outbound, principal, null);
    }

    /**
     * @param meta the {@code _meta} of the one request a session on the stateless wire (2026-07-28) serves: its
     *        version, the client's capabilities and the log level come from there, and there is no {@code initialize};
     *        null for a session that a client opens with {@code initialize}
     */
    ServerSession(McpServer server, String id, Peer.Sink outbound, @Nullable Principal principal,
            @Nullable ObjectNode meta) {
        this.server = server;
        this.id = id;
        this.principal = principal;
        this.peer = new Peer(outbound, server.reader());
        this.stateless = meta != null;
        if (meta != null) {
            version = Protocol.STATELESS;
            JsonNode capabilities = meta.get(Protocol.META_CAPABILITIES);
            clientCapabilities = capabilities != null && capabilities.isObject() ? capabilities : Json.object();
            String level = Json.text(meta, Protocol.META_LOG_LEVEL);
            minSeverity = level == null ? Integer.MAX_VALUE : Math.max(0, Protocol.severity(level));
            initialized = true;
            handle("server/discover", this::discover);
            ServerSkills skills = server.skills();
            if (skills != null) {
                handle("skills/list", r -> Protocol.page(r.params(), skills.skills(), server.pageSize(), "skills",
                        ServerSkills.Skill::entry));
                handle("skills/get", r -> {
                    ObjectNode result = Json.object();
                    result.set("skill", skills.skill(Json.required(r.params(), "uri")).entry());
                    return result;
                });
                handle("resources/directory/read", r -> Protocol.page(r.params(), skills.children(Json.required(r
                        .params(), "uri")), server.pageSize(), "resources", ServerSession::describe));
            }
            handle("tasks/get", r -> task(r).describe(true));
            handle("tasks/update", r -> {
                JsonNode responses = r.params().get("inputResponses");
                if (responses == null || !responses.isObject()) {
                    throw new McpException(McpException.INVALID_PARAMS, "params.inputResponses must be an object of "
                            + "answers by key", null);
                }
                task(r).answer(responses);
                return Json.object();
            });
            handle("tasks/cancel", r -> {
                task(r).cancel();
                return Json.object();
            });
        } else {
            peer.gate(method -> {
                if (!initialized && !method.equals("initialize") && !method.equals("ping")) {
                    throw new McpException(McpException.INVALID_REQUEST, "the session is not initialized: send "
                            + "initialize first", null);
                }
            });
            peer.handle("initialize", traced("initialize", this::initialize));
            peer.handle("ping", traced("ping", r -> Json.object()));
            peer.handle("logging/setLevel", traced("logging/setLevel", this::setLevel));
            peer.handle("resources/subscribe", traced("resources/subscribe", this::subscribe));
            peer.handle("resources/unsubscribe", traced("resources/unsubscribe", r -> {
                subscriptions.remove(Json.required(r.params(), "uri"));
                return Json.object();
            }));
        }
        handle("tools/list", r -> Protocol.page(r.params(), tools(), server.pageSize(), "tools",
                ServerSession::describe));
        handle("tools/call", this::callTool);
        handle("resources/list", r -> Protocol.page(r.params(), server.resources(), server.pageSize(), "resources",
                ServerSession::describe));
        handle("resources/templates/list", r -> Protocol.page(r.params(), server.templates(), server.pageSize(),
                "resourceTemplates", ServerSession::describe));
        handle("resources/read", this::read);
        handle("prompts/list", r -> Protocol.page(r.params(), server.prompts(), server.pageSize(), "prompts",
                ServerSession::describe));
        handle("prompts/get", this::prompt);
        handle("completion/complete", this::complete);
    }

    /**
     * Registers a method's handler; on the stateless wire its result says it is complete ({@code resultType}), a
     * cacheable one carries caching hints (SEP-2549), and one that may ask the client for input answers
     * {@code input_required} when it does (SEP-2322).
     */
    private void handle(String method, Peer.Handler untraced) {
        Peer.Handler handler = traced(method, untraced);
        if (!stateless) {
            peer.handle(method, handler);
            return;
        }
        boolean asks = INPUT_METHODS.contains(method);
        boolean cacheable = CACHEABLE.contains(method);
        peer.handle(method, r -> {
            JsonNode result;
            try {
                result = handler.handle(r);
            } catch (InputRequired input) {
                if (!asks) {
                    throw new McpException(McpException.INTERNAL_ERROR, method + " cannot ask the client for input",
                            null);
                }
                return input.result();
            }
            if (result instanceof ObjectNode object) {
                if (!object.has("resultType")) {
                    object.put("resultType", "complete");
                }
                if (cacheable && !object.has("ttlMs")) {
                    object.put("ttlMs", 0).put("cacheScope", "private");
                }
            }
            return result;
        });
    }

    /** Carries a handler's checked exception through the tracer's scope. */
    private static final class Carried extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Carried(Exception cause) {
            super(null, cause, false, false);
        }
    }

    /**
     * {@return the handler, measured and traced by the server's tracer (if it has one) as {@code code.mcp.requests}: a
     *         span continuing the trace the request's {@code _meta.traceparent} names (SEP-414), within which the
     *         handler runs, so the tool calls it makes are its children}
     */
    private Peer.Handler traced(String method, Peer.Handler handler) {
        CallTracer tracer = server.tracer();
        if (tracer == null) {
            return handler;
        }
        return r -> {
            JsonNode meta = r.params().path("_meta");
            CallTracer.Call call = tracer.incoming("code.mcp.requests", Map.of("method", method), key -> {
                JsonNode value = meta.get(key);
                return value != null && value.isString() ? value.asString() : null;
            });
            JsonNode result;
            try {
                result = call.within(() -> {
                    try {
                        return handler.handle(r);
                    } catch (RuntimeException e) {
                        throw e;
                    } catch (Exception e) {
                        throw new Carried(e);
                    }
                });
            } catch (Carried e) {
                Exception cause = (Exception) e.getCause();
                call.end("error", cause);
                throw cause;
            } catch (RuntimeException | Error e) {
                call.end("error", e);
                throw e;
            }
            call.end("success", null);
            return result;
        };
    }

    String id() {
        return id;
    }

    Peer peer() {
        return peer;
    }

    @Nullable
    Principal principal() {
        return principal;
    }

    String version() {
        return version;
    }

    boolean subscribed(String uri) {
        return subscriptions.contains(uri);
    }

    void close() {
        peer.close();
    }

    private JsonNode initialize(Peer.Request r) {
        ObjectNode params = r.params();
        String requested = Json.text(params, "protocolVersion");
        if (requested == null) {
            throw new McpException(McpException.INVALID_PARAMS, "params.protocolVersion must be a string", null);
        }
        version = Protocol.negotiate(requested);
        peer.batches(version.equals("2025-03-26"));
        JsonNode capabilities = params.get("capabilities");
        clientCapabilities = capabilities != null && capabilities.isObject() ? capabilities : Json.object();
        initialized = true;
        ObjectNode result = Json.object().put("protocolVersion", version);
        result.set("capabilities", capabilities());
        result.putObject("serverInfo").put("name", server.name()).put("version", server.version());
        if (server.instructions() != null) {
            result.put("instructions", server.instructions());
        }
        return result;
    }

    /**
     * What the server offers. On the stateless wire nothing is pushed (no subscriptions, no list-changed
     * notifications) and the client names its log level in each request.
     */
    private ObjectNode capabilities() {
        ObjectNode caps = Json.object();
        caps.putObject("logging");
        caps.putObject("completions");
        caps.putObject("tools").put("listChanged", !stateless);
        ObjectNode resources = caps.putObject("resources");
        if (!stateless) {
            resources.put("subscribe", true).put("listChanged", true);
        }
        caps.putObject("prompts").put("listChanged", !stateless);
        if (stateless) {
            ObjectNode extensions = caps.putObject("extensions");
            extensions.putObject(ServerTasks.EXTENSION);
            if (server.skills() != null) {
                extensions.putObject(ServerSkills.EXTENSION).put("directoryRead", true);
            }
        }
        return caps;
    }

    /** {@code server/discover} (2026-07-28): the versions spoken on the stateless wire and the capabilities. */
    private JsonNode discover(Peer.Request r) {
        ObjectNode result = Json.object();
        result.putArray("supportedVersions").add(Protocol.STATELESS);
        result.set("capabilities", capabilities());
        if (server.instructions() != null) {
            result.put("instructions", server.instructions());
        }
        result.putObject("_meta").putObject("io.modelcontextprotocol/serverInfo").put("name", server.name()).put(
                "version", server.version());
        return result;
    }

    private JsonNode setLevel(Peer.Request r) {
        int severity = Protocol.severity(Json.required(r.params(), "level"));
        if (severity < 0) {
            throw new McpException(McpException.INVALID_PARAMS, "params.level must be one of " + Protocol.LEVELS,
                    null);
        }
        minSeverity = severity;
        return Json.object();
    }

    // ------------------------------------------------------------------ tools

    /** A tool as the session lists it: one of the server's own, or one of the CODE registry's. */
    private record Listed(ObjectNode description, @Nullable McpTool local) {}

    private List<Listed> tools() {
        List<Listed> all = new ArrayList<>();
        for (McpTool tool : server.tools()) {
            ObjectNode description = describe(tool);
            if (stateless && tool.taskSupport() != McpTool.TaskSupport.FORBIDDEN) {
                description.putObject("execution").put("taskSupport", tool.taskSupport().wireName());
            }
            all.add(new Listed(description, tool));
        }
        if (server.registry() != null) {
            for (ToolDescriptor d : server.registry().list(callContext())) {
                ObjectNode node = Json.object().put("name", d.name()).put("description", d.description());
                node.set("inputSchema", d.inputSchema());
                if (d.outputSchema() != null) {
                    node.set("outputSchema", d.outputSchema());
                }
                ToolAnnotations hints = d.annotations();
                if (hints != null) {
                    node.set("annotations", Json.object().put("readOnlyHint", hints.readOnly()).put(
                            "destructiveHint", hints.destructive()).put("idempotentHint", hints.idempotent()).put(
                                    "openWorldHint", hints.openWorld()));
                }
                all.add(new Listed(node, null));
            }
        }
        return all;
    }

    private CallContext callContext() {
        if (principal == null) {
            throw new McpException(McpException.INVALID_REQUEST, "no principal: the server has neither "
                    + "authorization nor a default principal", null);
        }
        return new CallContext(principal, null, "mcp-" + UUID.randomUUID());
    }

    private static ObjectNode describe(Listed tool) {
        return tool.description();
    }

    private static ObjectNode describe(McpTool tool) {
        ObjectNode node = Json.object().put("name", tool.name());
        if (tool.title() != null) {
            node.put("title", tool.title());
        }
        node.put("description", tool.description());
        node.set("inputSchema", tool.inputSchema());
        if (tool.outputSchema() != null) {
            node.set("outputSchema", tool.outputSchema());
        }
        if (tool.annotations() != null) {
            node.set("annotations", tool.annotations());
        }
        return node;
    }

    private JsonNode callTool(Peer.Request r) {
        String name = Json.required(r.params(), "name");
        JsonNode arguments = r.params().get("arguments");
        if (arguments == null || arguments.isNull()) {
            arguments = Json.object();
        }
        if (!arguments.isObject()) {
            throw new McpException(McpException.INVALID_PARAMS, "params.arguments must be an object", null);
        }
        McpTool tool = server.tool(name);
        if (tool == null) {
            return callRegistry(name, arguments, new Context(r));
        }
        boolean tasks = stateless && ServerTasks.negotiated(clientCapabilities);
        if (stateless && tool.taskSupport() == McpTool.TaskSupport.REQUIRED && !tasks) {
            throw ServerTasks.notNegotiated("the tool " + Json.clip(name));
        }
        List<String> broken = JsonSchema.validate(tool.inputSchema(), arguments);
        if (!broken.isEmpty()) {
            return render(McpToolResult.error("invalid arguments for tool " + name + ": " + String.join("; ",
                    broken)));
        }
        if (tasks && tool.taskSupport() != McpTool.TaskSupport.FORBIDDEN) {
            return callAsTask(tool, arguments, new Context(r));
        }
        return render(invoke(tool, arguments, new Context(r)));
    }

    /** Runs a tool's handler; what it throws, other than {@link McpException}, becomes a result with isError. */
    private static McpToolResult invoke(McpTool tool, JsonNode arguments, Context context) {
        try {
            return tool.handler().call(arguments, context);
        } catch (McpException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return McpToolResult.error("the tool was interrupted");
        } catch (CodeException e) {
            return McpToolResult.error(e.getMessage());
        } catch (Exception e) {
            return McpToolResult.error("the tool " + tool.name() + " failed: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Calls a tool that may become a task (SEP-2663): its handler runs on a thread of its own, and the request is
     * answered by what comes first: the handler's result or error (an ordinary call), or the task it turns into with
     * {@link McpRequestContext#runAsTask()}. A task's end is kept in the task, for {@code tasks/get}.
     */
    private JsonNode callAsTask(McpTool tool, JsonNode arguments, Context context) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        Thread worker = Thread.ofVirtual().name("mcp-task-" + tool.name()).unstarted(() -> {
            try {
                ObjectNode result = render(invoke(tool, arguments, context));
                if (context.task != null) {
                    context.task.complete(result);
                }
                answer.complete(result);
            } catch (McpException e) {
                if (context.task != null) {
                    context.task.fail(e);
                }
                answer.completeExceptionally(e);
            } catch (RuntimeException e) {
                McpException failure = new McpException(McpException.INTERNAL_ERROR, "the tool " + tool.name()
                        + " failed: " + e.getClass().getSimpleName(), null);
                if (context.task != null) {
                    context.task.fail(failure);
                }
                answer.completeExceptionally(failure);
            }
        });
        context.launch(answer, worker);
        worker.start();
        try {
            return answer.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof McpException m
                    ? m
                    : new McpException(McpException.INTERNAL_ERROR, "the tool " + tool.name() + " failed", null);
        } catch (InterruptedException e) {
            worker.interrupt(); // the client cancelled the call, or went away, before it became a task
            Thread.currentThread().interrupt();
            throw new McpException(McpException.INTERNAL_ERROR, "the request was interrupted", null);
        }
    }

    /** {@return the task a {@code tasks/*} request names, if it is the caller's and the client declared tasks} */
    private ServerTasks.Task task(Peer.Request r) {
        if (!ServerTasks.negotiated(clientCapabilities)) {
            throw ServerTasks.notNegotiated(r.method());
        }
        return server.tasks().find(owner(), Json.required(r.params(), "taskId"));
    }

    /** {@return whose tasks this session's requests see: the principal's, or the anonymous callers' when none} */
    private String owner() {
        return principal == null ? "" : principal.kind() + ":" + principal.id();
    }

    private JsonNode callRegistry(String name, JsonNode arguments, Context context) {
        if (server.registry() == null) {
            throw new McpException(McpException.INVALID_PARAMS, "unknown tool: " + Json.clip(name), null);
        }
        // a destructive registry tool asks the person behind the client, where the client can be asked
        Confirmer confirmer = context.confirmer().orElse(null);
        try {
            ToolResult result = server.registry().call(callContext(), name, arguments, confirmer);
            return render(new McpToolResult(List.of(McpContent.text(result.text())), result.structured(), result
                    .error()));
        } catch (NotFoundException e) {
            throw new McpException(McpException.INVALID_PARAMS, "unknown tool: " + Json.clip(name), null);
        } catch (CodeException e) {
            return render(McpToolResult.error(e.getMessage()));
        }
    }

    private static ObjectNode render(McpToolResult result) {
        ObjectNode node = Json.object();
        ArrayNode content = node.putArray("content");
        result.content().forEach(content::add);
        if (result.structuredContent() != null) {
            node.set("structuredContent", result.structuredContent());
        }
        if (result.isError()) {
            node.put("isError", true);
        }
        return node;
    }

    // ------------------------------------------------------------------ resources

    private static ObjectNode describe(McpResource resource) {
        ObjectNode node = Json.object().put("uri", resource.uri()).put("name", resource.name());
        putIfPresent(node, "title", resource.title());
        putIfPresent(node, "description", resource.description());
        putIfPresent(node, "mimeType", resource.mimeType());
        return node;
    }

    /** A file or folder of a skill, as {@code resources/directory/read} lists it. */
    private static ObjectNode describe(ServerSkills.Child child) {
        return Json.object().put("uri", child.uri()).put("name", child.name()).put("mimeType", child.mimeType());
    }

    private static ObjectNode describe(McpResourceTemplate template) {
        ObjectNode node = Json.object().put("uriTemplate", template.uriTemplate()).put("name", template.name());
        putIfPresent(node, "title", template.title());
        putIfPresent(node, "description", template.description());
        putIfPresent(node, "mimeType", template.mimeType());
        return node;
    }

    private static void putIfPresent(ObjectNode node, String field, @Nullable String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    private JsonNode read(Peer.Request r) throws Exception {
        String uri = Json.required(r.params(), "uri");
        List<ObjectNode> contents = null;
        McpResource resource = server.resource(uri);
        if (resource != null) {
            contents = resource.reader().read(uri, new Context(r));
        } else {
            for (McpServer.Template template : server.matchers()) {
                Optional<Map<String, String>> match = template.pattern().match(uri);
                if (match.isPresent()) {
                    contents = template.template().reader().read(uri, match.get(), new Context(r));
                    break;
                }
            }
        }
        if (contents == null) {
            throw notFound(uri);
        }
        ObjectNode result = Json.object();
        ArrayNode array = result.putArray("contents");
        contents.forEach(array::add);
        return result;
    }

    /**
     * Watches a resource for the client. What a session watches is bounded, for it lives as long as the session: the
     * URI must name a resource or match a template, be at most {@link #MAX_SUBSCRIBED_URI} characters long, and be one
     * of at most {@link #MAX_SUBSCRIPTIONS}.
     */
    private JsonNode subscribe(Peer.Request r) {
        String uri = Json.required(r.params(), "uri");
        if (uri.length() > MAX_SUBSCRIBED_URI) {
            throw new McpException(McpException.INVALID_PARAMS, "params.uri is longer than " + MAX_SUBSCRIBED_URI
                    + " characters", null);
        }
        if (server.resource(uri) == null && server.matchers().stream().noneMatch(t -> t.pattern().match(uri)
                .isPresent())) {
            throw notFound(uri);
        }
        synchronized (subscriptions) {
            if (!subscriptions.contains(uri) && subscriptions.size() >= MAX_SUBSCRIPTIONS) {
                throw new McpException(McpException.INVALID_REQUEST, "a session watches at most " + MAX_SUBSCRIPTIONS
                        + " resources: unsubscribe from one first", null);
            }
            subscriptions.add(uri);
        }
        return Json.object();
    }

    /** A resource that does not exist: -32002 up to 2025-11-25, invalid params from 2026-07-28 on (SEP-2164). */
    private McpException notFound(String uri) {
        return new McpException(stateless ? McpException.INVALID_PARAMS : McpException.RESOURCE_NOT_FOUND,
                "resource not found: " + Json.clip(uri), Json.object().put("uri", uri));
    }

    // ------------------------------------------------------------------ prompts and completion

    private static ObjectNode describe(McpPrompt prompt) {
        ObjectNode node = Json.object().put("name", prompt.name());
        putIfPresent(node, "title", prompt.title());
        node.put("description", prompt.description());
        if (!prompt.arguments().isEmpty()) {
            ArrayNode args = node.putArray("arguments");
            for (McpPrompt.Argument a : prompt.arguments()) {
                ObjectNode arg = args.addObject().put("name", a.name()).put("required", a.required());
                putIfPresent(arg, "description", a.description());
            }
        }
        return node;
    }

    private JsonNode prompt(Peer.Request r) throws Exception {
        String name = Json.required(r.params(), "name");
        McpPrompt prompt = server.prompt(name);
        if (prompt == null) {
            throw new McpException(McpException.INVALID_PARAMS, "unknown prompt: " + Json.clip(name), null);
        }
        Map<String, String> arguments = strings(r.params().get("arguments"), "params.arguments");
        for (McpPrompt.Argument a : prompt.arguments()) {
            if (a.required() && !arguments.containsKey(a.name())) {
                throw new McpException(McpException.INVALID_PARAMS, "missing required argument: " + a.name(), null);
            }
        }
        ObjectNode result = Json.object().put("description", prompt.description());
        ArrayNode messages = result.putArray("messages");
        prompt.handler().render(arguments, new Context(r)).forEach(messages::add);
        return result;
    }

    private static Map<String, String> strings(@Nullable JsonNode node, String field) {
        Map<String, String> values = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isObject()) {
            throw new McpException(McpException.INVALID_PARAMS, field + " must be an object of strings", null);
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isString()) {
                throw new McpException(McpException.INVALID_PARAMS, field + "." + Json.clip(e.getKey())
                        + " must be a string", null);
            }
            values.put(e.getKey(), e.getValue().stringValue());
        }
        return values;
    }

    private JsonNode complete(Peer.Request r) {
        JsonNode ref = r.params().path("ref");
        JsonNode argument = r.params().path("argument");
        String argName = Json.required(argument, "name");
        String value = Json.text(argument, "value");
        Map<String, String> context = strings(r.params().path("context").get("arguments"), "params.context.arguments");
        Completer completer = switch (ref.path("type").asString("")) {
            case "ref/prompt" -> {
                McpPrompt prompt = server.prompt(Json.required(ref, "name"));
                if (prompt == null) {
                    throw new McpException(McpException.INVALID_PARAMS, "unknown prompt", null);
                }
                yield prompt.completions().get(argName);
            }
            case "ref/resource" -> {
                String uri = Json.required(ref, "uri");
                yield server.templates().stream().filter(t -> t.uriTemplate().equals(uri)).findFirst().map(t -> t
                        .completions().get(argName)).orElse(null);
            }
            default -> throw new McpException(McpException.INVALID_PARAMS, "params.ref.type must be ref/prompt or "
                    + "ref/resource", null);
        };
        List<String> values = completer == null ? List.of() : completer.complete(value == null ? "" : value, context);
        ObjectNode completion = Json.object();
        ObjectNode body = completion.putObject("completion");
        ArrayNode array = body.putArray("values");
        values.stream().limit(100).forEach(array::add);
        body.put("total", values.size()).put("hasMore", values.size() > 100);
        return completion;
    }

    /** Sends {@code notifications/resources/updated} if the client subscribed to {@code uri}. */
    void resourceUpdated(String uri) {
        if (initialized && subscriptions.contains(uri)) {
            peer.notify("notifications/resources/updated", Json.object().put("uri", uri));
        }
    }

    /** Sends a list-changed notification ({@code tools}, {@code resources} or {@code prompts}). */
    void listChanged(String what) {
        if (initialized) {
            peer.notify("notifications/" + what + "/list_changed", Json.object());
        }
    }

    /** The context a handler sees. */
    private final class Context implements McpRequestContext {
        private final Peer.Request request;
        private int asked;
        /** Where a call that may become a task is answered, and the thread that runs its handler; null otherwise. */
        private volatile @Nullable CompletableFuture<JsonNode> answer;
        private volatile @Nullable Thread worker;
        /** The task the call became, or null. */
        private volatile ServerTasks.@Nullable Task task;

        Context(Peer.Request request) {
            this.request = request;
        }

        @Override
        public Optional<Principal> principal() {
            return Optional.ofNullable(principal);
        }

        @Override
        public String sessionId() {
            return id;
        }

        @Override
        public String protocolVersion() {
            return version;
        }

        @Override
        public JsonNode clientCapabilities() {
            return clientCapabilities;
        }

        void launch(CompletableFuture<JsonNode> where, Thread thread) {
            this.answer = where;
            this.worker = thread;
        }

        @Override
        public boolean runAsTask() {
            CompletableFuture<JsonNode> where = answer;
            if (task != null) {
                return true;
            }
            if (where == null || Thread.currentThread() != worker) {
                return false;
            }
            ServerTasks.Task created = server.tasks().create(owner(), Thread.currentThread());
            task = created;
            where.complete(created.describe(false).put("resultType", "task"));
            return true;
        }

        @Override
        public boolean cancelled() {
            ServerTasks.Task current = task;
            return current != null ? current.cancelled() : request.cancelled();
        }

        @Override
        public void log(String level, JsonNode data) {
            int severity = Protocol.severity(level);
            if (severity < 0) {
                throw new IllegalArgumentException("level must be one of " + Protocol.LEVELS + " but was " + level);
            }
            if (severity >= minSeverity && task == null) {
                ObjectNode params = Json.object().put("level", level).put("logger", server.name());
                params.set("data", data);
                request.notify("notifications/message", params);
            }
        }

        @Override
        public void progress(double progress, double total, @Nullable String message) {
            JsonNode token = request.progressToken();
            if (token == null || task != null) {
                return;
            }
            ObjectNode params = Json.object();
            params.set("progressToken", token);
            params.put("progress", progress);
            if (total >= 0) {
                params.put("total", total);
            }
            if (message != null) {
                params.put("message", message);
            }
            request.notify("notifications/progress", params);
        }

        @Override
        public JsonNode sample(ObjectNode params) {
            return ask("sampling/createMessage", params);
        }

        @Override
        public JsonNode elicit(String message, ObjectNode requestedSchema) {
            ObjectNode params = Json.object().put("message", message);
            params.set("requestedSchema", requestedSchema);
            return ask("elicitation/create", params);
        }

        @Override
        public JsonNode roots() {
            return ask("roots/list", Json.object()).path("roots");
        }

        /** One question, keyed by its method and how many the handler asked before (the same each round). */
        private JsonNode ask(String method, ObjectNode params) {
            String key = method.substring(0, method.indexOf('/')) + "-" + (++asked);
            return inputs(Map.of(key, new InputRequest(method, params))).get(key);
        }

        @Override
        public Map<String, JsonNode> inputs(Map<String, InputRequest> requests) {
            requests.values().forEach(q -> require(capability(q.method())));
            ServerTasks.Task current = task;
            if (current != null) {
                return current.ask(requests);
            }
            Map<String, JsonNode> answers = new LinkedHashMap<>();
            if (!stateless) {
                for (Map.Entry<String, InputRequest> e : requests.entrySet()) {
                    InputRequest q = e.getValue();
                    Duration timeout = q.method().equals("elicitation/create")
                            ? ELICITATION_TIMEOUT
                            : SAMPLING_TIMEOUT;
                    answers.put(e.getKey(), request.call(q.method(), q.params().deepCopy(), timeout));
                }
                return answers;
            }
            ObjectNode known = known();
            Map<String, InputRequest> missing = new LinkedHashMap<>();
            for (Map.Entry<String, InputRequest> e : requests.entrySet()) {
                JsonNode answer = known.get(e.getKey());
                if (answer != null && answer.isObject()) {
                    answers.put(e.getKey(), answer);
                } else {
                    missing.put(e.getKey(), e.getValue());
                }
            }
            if (!missing.isEmpty()) {
                throw new InputRequired(missing, sealedState(known));
            }
            return answers;
        }

        /**
         * {@return the answers of earlier rounds (from the sealed {@code requestState}) and of this one
         *         ({@code inputResponses}), by key}
         */
        private ObjectNode known() {
            ObjectNode params = request.params();
            ObjectNode known = Json.object();
            JsonNode state = params.get("requestState");
            if (state != null && !state.isNull()) {
                if (!state.isString()) {
                    throw new McpException(McpException.INVALID_PARAMS, "params.requestState must be a string", null);
                }
                ObjectNode opened = server.requestState().open(state.stringValue());
                if (!opened.path("request").equals(binding())) {
                    throw new McpException(McpException.INVALID_PARAMS, "params.requestState belongs to another "
                            + "request", null);
                }
                if (opened.path("answers").isObject()) {
                    known.setAll((ObjectNode) opened.get("answers"));
                }
            }
            if (params.has("inputResponses")) {
                JsonNode responses = params.get("inputResponses");
                if (!responses.isObject()) {
                    throw new McpException(McpException.INVALID_PARAMS, "params.inputResponses must be an object of "
                            + "answers by key", null);
                }
                for (Map.Entry<String, JsonNode> e : responses.properties()) {
                    if (e.getValue().isObject()) {
                        known.set(e.getKey(), e.getValue()); // anything else is no answer: the question is asked again
                    }
                }
            }
            return known;
        }

        /** {@return what a state is bound to: the method and the tool, prompt or resource it names} */
        private ObjectNode binding() {
            ObjectNode params = request.params();
            ObjectNode binding = Json.object().put("method", request.method());
            String target = Json.text(params, params.has("uri") ? "uri" : "name");
            if (target != null) {
                binding.put("target", target);
            }
            return binding;
        }

        private String sealedState(ObjectNode known) {
            ObjectNode state = Json.object();
            state.set("request", binding());
            state.set("answers", known);
            return server.requestState().seal(state);
        }

        private static String capability(String method) {
            return switch (method) {
                case "sampling/createMessage" -> "sampling";
                case "elicitation/create" -> "elicitation";
                default -> "roots";
            };
        }

        private void require(String capability) {
            if (!clientCapabilities.has(capability)) {
                ObjectNode data = Json.object();
                data.putObject("requiredCapabilities").putObject(capability);
                throw new McpException(stateless ? McpException.MISSING_CAPABILITY : McpException.INVALID_REQUEST,
                        "the client has no " + capability + " capability", data);
            }
        }

        @Override
        public void closeStream() {
            if (task != null) {
                return;
            }
            request.sink().detach();
        }
    }

    /**
     * Thrown through a handler on the stateless wire when it asks the client for input it does not have yet: the
     * request is answered with an {@code input_required} result instead (SEP-2322).
     */
    private static final class InputRequired extends McpException {
        private static final long serialVersionUID = 1L;
        private final transient Map<String, InputRequest> requests;
        private final String state;

        InputRequired(Map<String, InputRequest> requests, String state) {
            super(McpException.INTERNAL_ERROR, "the request needs input from the client", null);
            this.requests = requests;
            this.state = state;
        }

        ObjectNode result() {
            ObjectNode result = Json.object().put("resultType", "input_required");
            ObjectNode inputs = result.putObject("inputRequests");
            requests.forEach((key, q) -> {
                ObjectNode each = inputs.putObject(key).put("method", q.method());
                each.set("params", q.params());
            });
            result.put("requestState", state);
            return result;
        }
    }
}
