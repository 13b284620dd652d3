package org.codeengine.plugin.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.CallTracer;
import org.codeengine.api.tools.ToolRegistry;
import org.codeengine.plugin.mcp.internal.Json;
import org.codeengine.plugin.mcp.internal.LineReader;
import org.codeengine.plugin.mcp.internal.Peer;
import org.codeengine.plugin.mcp.internal.UriTemplate;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An MCP server: tools, resources and prompts served to MCP clients over stdio ({@link #serveStdio}) or Streamable
 * HTTP ({@link #startHttp}). Built with {@link #builder()}; immutable and thread-safe; one server may serve any number
 * of sessions on any number of transports at once.
 *
 * <pre>{@code
 * McpServer server = McpServer.builder().info("my-tools", "1.0")
 *         .tool(McpTool.of("echo", "Echoes its text", schema, (args, ctx) -> McpToolResult.text(args.path("text").asString())))
 *         .build();
 * try (McpHttpServer http = server.startHttp(McpHttpServer.Options.loopback(8080))) { ... }
 * }</pre>
 *
 * <p>A host that runs a servlet container serves Streamable HTTP through a {@link McpServlet} instead.
 *
 * <p>Every incoming message is bounded, whatever the transport, so that a client cannot make the server hold more than
 * a bounded amount for one message: at most 4 MiB ({@link Builder#maxMessageBytes}), 500,000 JSON tokens
 * ({@link Builder#maxMessageTokens}) and 128 levels of nesting, in valid UTF-8. What breaks a bound is answered with an
 * error and never kept. What a session keeps is bounded too: it watches ({@code resources/subscribe}) at most 1,000
 * resources, each named by a URI of at most 8,192 characters that names a resource or matches a template.
 */
public final class McpServer {
    /** The most tasks (SEP-2663) a server holds at once, all principals together. */
    static final int MAX_TASKS = 10_000;
    private final String name;
    private final String version;
    private final @Nullable String instructions;
    private final Map<String, McpTool> tools;
    private final Map<String, McpResource> resources;
    private final List<McpResourceTemplate> templates;
    private final List<Template> matchers;
    private final Map<String, McpPrompt> prompts;
    private final @Nullable ToolRegistry registry;
    private final @Nullable Principal defaultPrincipal;
    private final @Nullable CallTracer tracer;
    private final int pageSize;
    private final int maxMessageBytes;
    private final JsonMapper reader;
    private final List<ServerSession> sessions = new CopyOnWriteArrayList<>();
    private final RequestState requestState = new RequestState();
    private final ServerTasks tasks;
    private final @Nullable ServerSkills skills;

    record Template(McpResourceTemplate template, UriTemplate pattern) {}

    private McpServer(Builder b) {
        this.name = b.name;
        this.version = b.version;
        this.instructions = b.instructions;
        this.tools = Map.copyOf(b.tools);
        this.resources = Map.copyOf(b.resources);
        this.templates = List.copyOf(b.templates);
        this.matchers = templates.stream().map(t -> new Template(t, new UriTemplate(t.uriTemplate()))).toList();
        this.prompts = Map.copyOf(b.prompts);
        this.registry = b.registry;
        this.defaultPrincipal = b.defaultPrincipal;
        this.tracer = b.tracer;
        this.pageSize = b.pageSize;
        this.maxMessageBytes = b.maxMessageBytes;
        this.reader = Json.mapper(b.maxMessageTokens);
        this.skills = b.skills;
        this.tasks = new ServerTasks(b.clock, b.taskTtl, b.maxTasksPerPrincipal, MAX_TASKS);
        this.toolOrder = List.copyOf(b.tools.values());
        this.resourceOrder = List.copyOf(b.resources.values());
        this.promptOrder = List.copyOf(b.prompts.values());
    }

    private final List<McpTool> toolOrder;
    private final List<McpResource> resourceOrder;
    private final List<McpPrompt> promptOrder;

    /** {@return the tracer that measures and traces each request, if the builder was given one} */
    @Nullable
    CallTracer tracer() {
        return tracer;
    }

    /** {@return a builder of a server with no tools, resources or prompts yet} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Serves one session over stdio until {@code in} ends: one JSON-RPC message per line in, one per line out; nothing
     * else is written to {@code out}. Blocks the calling thread.
     *
     * @param in the client's messages (the process's standard input)
     * @param out where messages go (the process's standard output); flushed after each
     * @throws UncheckedIOException if reading fails for another reason than the end of input
     */
    public void serveStdio(InputStream in, OutputStream out) {
        Object lock = new Object();
        Peer.Sink sink = new Peer.Sink() {
            @Override
            public void message(ObjectNode message) {
                write(message);
            }

            @Override
            public void answer(@Nullable ObjectNode response) {
                if (response != null) {
                    write(response);
                }
            }

            @Override
            public boolean collects() {
                return true;
            }

            @Override
            public void answers(ArrayNode batch) {
                write(batch);
            }

            private void write(JsonNode message) {
                byte[] bytes = Json.bytes(message);
                synchronized (lock) {
                    try {
                        out.write(bytes);
                        out.write('\n');
                        out.flush();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        };
        ServerSession session = open("stdio", sink, defaultPrincipal);
        try (LineReader lines = new LineReader(in, maxMessageBytes)) {
            for (LineReader.Line line = lines.next(); line != null; line = lines.next()) {
                if (line.tooLong()) {
                    sink.answer(tooLarge());
                } else if (!line.blank()) {
                    session.peer().receive(line.bytes(), sink);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            close(session);
        }
    }

    /**
     * Starts serving Streamable HTTP on one endpoint, on the JDK's HTTP server with a virtual thread per exchange.
     *
     * @param options where and how
     * @return the running server; close it to stop
     * @throws UncheckedIOException if the address cannot be bound
     */
    public McpHttpServer startHttp(McpHttpServer.Options options) {
        return new McpHttpServer(this, options);
    }

    /**
     * Tells every session subscribed to {@code uri} that the resource changed.
     *
     * @param uri the resource's URI
     */
    public void resourceUpdated(String uri) {
        sessions.forEach(s -> s.resourceUpdated(uri));
    }

    /**
     * Tells every session that a list changed (for example, the registry's tools).
     *
     * @param what {@code tools}, {@code resources} or {@code prompts}
     * @throws IllegalArgumentException if {@code what} is none of these
     */
    public void listChanged(String what) {
        if (!List.of("tools", "resources", "prompts").contains(what)) {
            throw new IllegalArgumentException("what must be tools, resources or prompts but was " + what);
        }
        sessions.forEach(s -> s.listChanged(what));
    }

    /** {@return how many sessions are open now, on every transport} */
    public int sessionCount() {
        return sessions.size();
    }

    /** {@return the largest message read, in bytes} */
    int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** {@return the mapper that parses incoming messages within the server's limits} */
    JsonMapper reader() {
        return reader;
    }

    /** {@return the answer to a message larger than {@link #maxMessageBytes()}, which is not read} */
    ObjectNode tooLarge() {
        return Json.error(null, McpException.INVALID_REQUEST, "the message is larger than the limit of "
                + maxMessageBytes + " bytes", null);
    }

    ServerSession open(String id, Peer.Sink outbound, @Nullable Principal principal) {
        ServerSession session = new ServerSession(this, id, outbound, principal != null
                ? principal
                : defaultPrincipal);
        sessions.add(session);
        return session;
    }

    /**
     * Opens the session of one request on the stateless wire (2026-07-28); nothing is pushed to it, so the server
     * does not track it. Close it once the request is answered.
     */
    ServerSession openStateless(String id, Peer.Sink outbound, @Nullable Principal principal, ObjectNode meta) {
        return new ServerSession(this, id, outbound, principal != null ? principal : defaultPrincipal, meta);
    }

    /** {@return the skills of the skills extension (SEP-2640), or null when the server serves none} */
    @Nullable
    ServerSkills skills() {
        return skills;
    }

    /** {@return the tasks of the tasks extension (SEP-2663)} */
    ServerTasks tasks() {
        return tasks;
    }

    /** {@return what seals the state of multi-round requests on the stateless wire} */
    RequestState requestState() {
        return requestState;
    }

    void close(ServerSession session) {
        sessions.remove(session);
        session.close();
    }

    String name() {
        return name;
    }

    String version() {
        return version;
    }

    @Nullable
    String instructions() {
        return instructions;
    }

    List<McpTool> tools() {
        return toolOrder;
    }

    @Nullable
    McpTool tool(String toolName) {
        return tools.get(toolName);
    }

    List<McpResource> resources() {
        return resourceOrder;
    }

    @Nullable
    McpResource resource(String uri) {
        return resources.get(uri);
    }

    List<McpResourceTemplate> templates() {
        return templates;
    }

    List<Template> matchers() {
        return matchers;
    }

    List<McpPrompt> prompts() {
        return promptOrder;
    }

    @Nullable
    McpPrompt prompt(String promptName) {
        return prompts.get(promptName);
    }

    @Nullable
    ToolRegistry registry() {
        return registry;
    }

    int pageSize() {
        return pageSize;
    }

    @Override
    public String toString() {
        return "McpServer[" + name + " " + version + ", tools=" + tools.size() + ", resources=" + resources.size()
                + ", templates=" + templates.size() + ", prompts=" + prompts.size() + ", registry=" + (registry != null)
                + "]";
    }

    /** Collects a server's parts; each setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private String name = "code";
        private String version = "0.1.0";
        private @Nullable String instructions;
        private final Map<String, McpTool> tools = new LinkedHashMap<>();
        private final Map<String, McpResource> resources = new LinkedHashMap<>();
        private final List<McpResourceTemplate> templates = new ArrayList<>();
        private final Map<String, McpPrompt> prompts = new LinkedHashMap<>();
        private @Nullable ToolRegistry registry;
        private @Nullable Principal defaultPrincipal;
        private @Nullable CallTracer tracer;
        private int pageSize = 100;
        private int maxMessageBytes = 4 * 1024 * 1024;
        private int maxMessageTokens = 500_000;
        private Clock clock = Clock.systemUTC();
        private Duration taskTtl = Duration.ofHours(1);
        private int maxTasksPerPrincipal = 100;
        private @Nullable ServerSkills skills;

        private Builder() {}

        /**
         * Serves the skills of a folder, as the skills extension (SEP-2640) describes them (2026-07-28): each folder
         * in it that holds a {@code SKILL.md} is a skill named after the folder, listed by {@code skills/list}, and
         * each of its files is a resource {@code skill://<name>/<path>} (read by {@code resources/read}, and its
         * folders by {@code resources/directory/read}). The files are read now, once: at most 512 files and 16 MiB a
         * skill. A SKILL.md begins with YAML frontmatter of {@code key: value} lines (one level of nested keys, such
         * as {@code metadata:}), whose {@code name} equals the folder's and whose {@code description} is not empty.
         *
         * @param folder the folder of skills
         * @return this builder
         * @throws IllegalArgumentException if it is no folder, a skill in it breaks a rule (the message names the
         *         file and the rule), or a skill's file has the URI of a resource added before
         * @throws UncheckedIOException if a file cannot be read
         */
        public Builder skills(java.nio.file.Path folder) {
            ServerSkills loaded = ServerSkills.load(folder);
            loaded.resources().forEach(this::resource);
            this.skills = loaded;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param time what tells the time of tasks (their creation, updates and expiry); the system clock by default
         * @throws IllegalArgumentException if it is null
         */
        public Builder clock(Clock time) {
            if (time == null) {
                throw new IllegalArgumentException("clock must not be null");
            }
            this.clock = time;
            return this;
        }

        /**
         * Bounds the tasks of the tasks extension (SEP-2663) that tool calls become ({@link McpTool.TaskSupport}). A
         * task is kept for {@code ttl} from its creation, then forgotten (one still running then is cancelled); a
         * principal holds at most {@code maxPerPrincipal} at once, a new one pushing out its oldest finished one, and
         * is refused while all of them still run. The server holds at most 10,000 in all.
         *
         * @param ttl how long a task is kept, from its creation; 1 hour by default
         * @param maxPerPrincipal the most tasks one principal holds at once; 100 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code ttl} is under 1 second or over 7 days, or {@code maxPerPrincipal}
         *         is under 1 or over 10,000
         */
        public Builder tasks(Duration ttl, int maxPerPrincipal) {
            if (ttl == null || ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofDays(7)) > 0) {
                throw new IllegalArgumentException("ttl must be between 1 second and 7 days but was " + ttl);
            }
            if (maxPerPrincipal < 1 || maxPerPrincipal > MAX_TASKS) {
                throw new IllegalArgumentException("maxPerPrincipal must be in 1.." + MAX_TASKS + " but was "
                        + maxPerPrincipal);
            }
            this.taskTtl = ttl;
            this.maxTasksPerPrincipal = maxPerPrincipal;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param serverName the name sent as {@code serverInfo.name}
         * @param serverVersion the version sent as {@code serverInfo.version}
         * @throws IllegalArgumentException if either is blank
         */
        public Builder info(String serverName, String serverVersion) {
            if (serverName == null || serverName.isBlank() || serverVersion == null || serverVersion.isBlank()) {
                throw new IllegalArgumentException("name and version must not be blank");
            }
            this.name = serverName;
            this.version = serverVersion;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param text how to use the server, for the client's model
         */
        public Builder instructions(String text) {
            this.instructions = text;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param tool a tool to serve
         * @throws IllegalArgumentException if a tool of that name was added before
         */
        public Builder tool(McpTool tool) {
            if (tool == null || tools.putIfAbsent(tool.name(), tool) != null) {
                throw new IllegalArgumentException("tool must be non-null and its name unique");
            }
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param resource a resource to serve
         * @throws IllegalArgumentException if a resource of that URI was added before
         */
        public Builder resource(McpResource resource) {
            if (resource == null || resources.putIfAbsent(resource.uri(), resource) != null) {
                throw new IllegalArgumentException("resource must be non-null and its uri unique");
            }
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param template resources under a URI template
         * @throws IllegalArgumentException if it is null
         */
        public Builder resourceTemplate(McpResourceTemplate template) {
            if (template == null) {
                throw new IllegalArgumentException("template must not be null");
            }
            templates.add(template);
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param prompt a prompt to serve
         * @throws IllegalArgumentException if a prompt of that name was added before
         */
        public Builder prompt(McpPrompt prompt) {
            if (prompt == null || prompts.putIfAbsent(prompt.name(), prompt) != null) {
                throw new IllegalArgumentException("prompt must be non-null and its name unique");
            }
            return this;
        }

        /**
         * Serves every tool of a CODE tool registry (such as {@code engine.tools()}) besides the server's own: each
         * session lists what its principal may call, and each call goes through the registry, so it is checked,
         * rate-limited and audited there.
         *
         * @param tools the registry
         * @return this builder
         * @throws IllegalArgumentException if it is null
         */
        public Builder registry(ToolRegistry tools) {
            if (tools == null) {
                throw new IllegalArgumentException("registry must not be null");
            }
            this.registry = tools;
            return this;
        }

        /**
         * Measures each request served ({@code code.mcp.requests}, tagged with its method and outcome) and traces it,
         * continuing the trace its {@code params._meta.traceparent} names (SEP-414); the tool calls it makes are
         * its children. Without one, requests are neither measured nor traced.
         *
         * @param tracer the engine's, {@code engine.tracer()}
         * @return this builder
         * @throws IllegalArgumentException if it is null
         */
        public Builder tracer(CallTracer tracer) {
            if (tracer == null) {
                throw new IllegalArgumentException("tracer must not be null");
            }
            this.tracer = tracer;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param principal who calls when the transport authenticates nobody (stdio, HTTP without authorization)
         * @throws IllegalArgumentException if it is null
         */
        public Builder defaultPrincipal(Principal principal) {
            if (principal == null) {
                throw new IllegalArgumentException("principal must not be null");
            }
            this.defaultPrincipal = principal;
            return this;
        }

        /**
         * {@return this builder}
         *
         * @param size how many items one page of a list holds; 100 by default
         * @throws IllegalArgumentException if it is below 1
         */
        public Builder pageSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("pageSize must be at least 1 but was " + size);
            }
            this.pageSize = size;
            return this;
        }

        /**
         * Bounds the size of one incoming message. A longer stdio line is skipped as it streams in, never buffered, and
         * answered with an invalid-request error (-32600) without id; a larger HTTP body is refused with 413 as soon as
         * its {@code Content-Length}, or the bytes read, tell.
         *
         * @param bytes the largest message read, in bytes; 4 MiB (4,194,304) by default
         * @return this builder
         * @throws IllegalArgumentException if it is below 1,024 or above 16 MiB (16,777,216)
         */
        public Builder maxMessageBytes(int bytes) {
            if (bytes < 1024 || bytes > Json.MAX_MESSAGE) {
                throw new IllegalArgumentException("maxMessageBytes must be in 1024.." + Json.MAX_MESSAGE + " but was "
                        + bytes);
            }
            this.maxMessageBytes = bytes;
            return this;
        }

        /**
         * Bounds the JSON tokens (names, values, brackets and braces) of one incoming message, and with them the memory
         * its parsed form takes: that is up to about 50 bytes of heap a token (for a message of {@code {}} after
         * {@code {}}), where the bytes alone would let 4 MiB of message take 130 MB. A message with more tokens is
         * answered with a parse error (-32700). Nesting is bounded too, at 128 levels.
         *
         * @param tokens the most tokens in one message; 500,000 by default (about 25 MB of heap at most)
         * @return this builder
         * @throws IllegalArgumentException if it is below 1,000
         */
        public Builder maxMessageTokens(int tokens) {
            if (tokens < 1000) {
                throw new IllegalArgumentException("maxMessageTokens must be at least 1000 but was " + tokens);
            }
            this.maxMessageTokens = tokens;
            return this;
        }

        /** {@return the server} */
        public McpServer build() {
            return new McpServer(this);
        }
    }
}
