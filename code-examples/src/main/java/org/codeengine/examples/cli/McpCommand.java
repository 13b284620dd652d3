package org.codeengine.examples.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.codeengine.api.Secret;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.core.AgentRoles;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.mcp.McpClient;
import org.codeengine.plugin.mcp.McpHttpServer;
import org.codeengine.plugin.mcp.McpServer;
import org.codeengine.plugin.mcp.McpToolResult;
import org.codeengine.plugin.mcp.SamplingProvider;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code code mcp serve|call}: CODE's tools over MCP, and another MCP server's tools from the command line. */
@Command(name = "mcp", mixinStandardHelpOptions = true, description = "Serve CODE's tools over MCP, or call a tool of "
        + "another MCP server.", subcommands = {McpCommand.Serve.class, McpCommand.Call.class}, footer = {"",
                "Examples:", "  code mcp serve --stdio", "  code mcp serve --http --port 8765",
                "  code mcp call http://127.0.0.1:8765/mcp code_status --args '{}'"})
final class McpCommand extends CommandGroup {
    @Command(name = "serve", mixinStandardHelpOptions = true, description = {
            "Serve CODE's faces as MCP tools: code_plan, code_deploy, code_status, audit_verify, secrets_scan, and code_ask "
                    + "when --experts is given; plus the tools of each tool plugin --tools names (files, command, http, "
                    + "postgres, redis, docker, kubernetes, terraform), configured under tools: in config.yaml. Each "
                    + "call needs tool:call:<name> and is audited; a destructive call (a write, a command) runs only "
                    + "once the client's user confirms it (MCP elicitation), unless toolsUnconfirmed lists it.",
            "With --stdio nothing but MCP goes to standard output (use it in a client's config: {\"command\": "
                    + "\"code\", \"args\": [\"mcp\", \"serve\", \"--stdio\", \"--tools\", \"files\", \"--root\", "
                    + "\".\"]}). With --http it listens on "
                    + "127.0.0.1 until stopped."}, footer = {"", "Examples:", "  code mcp serve --stdio",
                            "  code mcp serve --stdio --tools files,command --root .",
                            "  code mcp serve --http --port 8765 --experts replay",
                            "  code mcp serve --http --port 8765 --require-token --token-issuer https://auth.example.com "
                                    + "--token-jwks jwks.json",
                            "  code mcp serve --stdio --agents all --tools files,command --root ."})
    static final class Serve extends BaseCommand {
        static final class Transport {
            @Option(names = "--stdio", required = true, description = "Serve one client on standard input and output.")
            boolean stdio;

            @Option(names = "--http", required = true, description = "Serve Streamable HTTP on 127.0.0.1.")
            boolean http;
        }

        @ArgGroup(exclusive = true, multiplicity = "1")
        Transport transport;

        @Option(names = "--port", description = "The HTTP port (default: 8765; 0 picks a free one).")
        int port = 8765;

        @Option(names = "--max-sessions", paramLabel = "N", description = "HTTP: the most sessions at once (default: ${DEFAULT-VALUE}).")
        int maxSessions = 1_000;

        @Option(names = "--max-sessions-per-source", paramLabel = "N", description = "HTTP: the most sessions of one caller or address at once; a new one takes the place of the same source's longest idle (default: ${DEFAULT-VALUE}).")
        int maxSessionsPerSource = 250;

        @Option(names = "--session-idle", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "30m", description = "HTTP: how long a session lives without a request (default: ${DEFAULT-VALUE}).")
        Duration sessionIdle;

        @Option(names = "--handshake-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "10s", description = "HTTP: how long a session lives whose client sent nothing after initialize (default: ${DEFAULT-VALUE}).")
        Duration handshakeTimeout;

        @Option(names = "--max-connections", paramLabel = "N", description = "HTTP: the most connections open at once; one more pushes out the connection idle longest, or is answered 503 when all are busy (default: ${DEFAULT-VALUE}).")
        int maxConnections = McpHttpServer.Options.MAX_CONNECTIONS;

        @Option(names = "--max-connections-per-address", paramLabel = "N", description = "HTTP: the most connections of one remote address open at once; every loopback client is one address (default: "
                + McpHttpServer.Options.MAX_CONNECTIONS_PER_ADDRESS + ", or --max-connections when lower).")
        @Nullable
        Integer maxConnectionsPerAddress;

        @Mixin
        McpTokenOptions tokens = new McpTokenOptions();

        @Option(names = "--experts", paramLabel = "FILE|LIST|replay", description = "A panel for the code_ask tool: a panel file, a list provider:model,..., or 'replay'.")
        @Nullable
        String experts;

        @Option(names = "--eval", paramLabel = "DIR|FILE", description = "The recorded replies for replay experts.")
        @Nullable
        Path eval;

        @Mixin
        ToolPluginOptions toolPlugins = new ToolPluginOptions();

        @Option(names = "--agents", split = ",", paramLabel = "ROLES", description = "Agents to serve, one tool "
                + "each (agent_<role>): role names, role files, or 'all' for the ready-made ones. They think with "
                + "the --experts panel, or, without one, with the client's own model through MCP sampling.")
        List<String> agents = new ArrayList<>();

        @Mixin
        MetricsOption metrics = new MetricsOption();

        @Override
        int run(Session session) {
            if (port < 0 || port > 65_535) {
                throw CliException.usage("--port must be between 0 and 65535, not " + port, "see 'code mcp serve "
                        + "--help'");
            }
            if (maxSessions < 1) {
                throw CliException.usage("--max-sessions must be at least 1, not " + maxSessions,
                        "see 'code mcp serve --help'");
            }
            if (maxSessionsPerSource < 1 || maxSessionsPerSource > maxSessions) {
                throw CliException.usage("--max-sessions-per-source must be between 1 and --max-sessions ("
                        + maxSessions + "), not " + maxSessionsPerSource, "see 'code mcp serve --help'");
            }
            if (maxConnections < 1) {
                throw CliException.usage("--max-connections must be at least 1, not " + maxConnections,
                        "see 'code mcp serve --help'");
            }
            int perAddress = maxConnectionsPerAddress != null
                    ? maxConnectionsPerAddress
                    : Math.min(McpHttpServer.Options.MAX_CONNECTIONS_PER_ADDRESS, maxConnections);
            if (perAddress < 1 || perAddress > maxConnections) {
                throw CliException.usage("--max-connections-per-address must be between 1 and --max-connections ("
                        + maxConnections + "), not " + perAddress, "see 'code mcp serve --help'");
            }
            tokens.check(transport.http, port);
            metrics.apply(session);
            ExpertPanel panel = experts == null ? null : Panels.resolve(session, experts, eval);
            // agents think with the panel; a server without one lends them its clients' models (sampling)
            SamplingProvider sampling = !agents.isEmpty() && panel == null ? new SamplingProvider() : null;
            CodeEngine[] built = new CodeEngine[1];
            CodeEngine engine = session.engine(panel, List.of(new FaceTools(() -> built[0], panel != null)),
                    toolPlugins.settings(session.config()), builder -> {
                        if (panel != null) {
                            builder.panel("agents", panel).panel("reviewers", panel);
                        }
                        if (sampling != null) {
                            builder.expertProvider(sampling);
                        }
                        tokens.configure(builder);
                    });
            built[0] = engine;
            McpServer.Builder serving = McpServer.builder().info("code", Versions.version(CodeApp.class)).registry(
                    engine.tools()).tracer(engine.tracer());
            if (!tokens.required) { // with tokens, each request acts as its token's subject, and no one else
                serving.defaultPrincipal(client(session, engine));
            }
            List<AgentSpec> specs = new ArrayList<>();
            for (String role : agents) {
                if (role.equals("all")) {
                    AgentRoles.NAMES.forEach(name -> specs.add(AgentRoles.load(engine.agents(), name)));
                } else {
                    specs.add(AgentReports.role(session, engine.agents(), role));
                }
            }
            AgentTools.tools(engine, specs, sampling).forEach(serving::tool);
            McpServer server = serving.build();
            if (transport.stdio) {
                server.serveStdio(System.in, System.out);
                return CodeApp.OK;
            }
            McpHttpServer http = server.startHttp(tokens.apply(McpHttpServer.Options.loopback(port)
                    .withSessionLimits(sessionIdle, maxSessions, maxSessionsPerSource, handshakeTimeout)
                    .withConnectionLimits(maxConnections, perAddress), engine.security()));
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                http.close();
                stopped.countDown();
            }));
            System.err.println("serving MCP at http://127.0.0.1:" + http.port() + "/mcp (sessions: at most "
                    + maxSessions + ", " + maxSessionsPerSource + " per source, idle " + sessionIdle
                            .toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                    + ", handshake " + handshakeTimeout
                            .toString().substring(2).toLowerCase(java.util.Locale.ROOT)
                    + "; connections: at most " + maxConnections + ", " + perAddress + " per address; "
                    + tokens.describe() + "); Ctrl-C stops");
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return CodeApp.OK;
        }
    }

    /** The tool plugins that work in folders: {@code --root} gives them theirs. */
    private static final Set<String> ROOTED = Set.of("files", "command");

    /**
     * @param config the configuration, whose {@code tools:} section holds each plugin's settings
     * @param names the plugins {@code --tools} names, or null for every configured one
     * @param roots the {@code --root} folders
     * @return each plugin to enable, with its settings
     * @throws CliException if {@code --root} is given without a plugin that works in folders, or one such plugin
     *         has no folder
     */
    static Map<String, JsonNode> toolSettings(Config config, @Nullable List<String> names, List<Path> roots) {
        List<String> chosen = names == null ? List.copyOf(config.tools().keySet()) : names;
        Map<String, JsonNode> settings = new LinkedHashMap<>();
        for (String name : chosen) {
            if (name.isBlank()) {
                throw CliException.usage("--tools must list plugin names separated by commas", "e.g. --tools "
                        + "files,command");
            }
            JsonNode configured = config.tools().get(name);
            ObjectNode each = configured == null ? Output.object() : (ObjectNode) configured.deepCopy();
            if (ROOTED.contains(name) && !roots.isEmpty()) {
                ArrayNode array = each.putArray("roots");
                roots.forEach(r -> array.add(r.toAbsolutePath().normalize().toString()));
            } else if (ROOTED.contains(name) && !each.has("roots")) {
                throw CliException.usage("the " + name + " tools need a folder to work in", "add --root DIR, or "
                        + "roots under tools." + name + " in config.yaml");
            }
            settings.put(name, each);
        }
        if (!roots.isEmpty() && chosen.stream().noneMatch(ROOTED::contains)) {
            throw CliException.usage("--root is for the files and command tools, and neither is served",
                    "add --tools files");
        }
        return settings;
    }

    /**
     * {@return who the MCP client acts as: the holder of {@code CODE_API_KEY}, else the local user in the role
     *         {@code mcp-client} (see {@link #delegate})}
     */
    static Principal client(Session session, CodeEngine engine) {
        return delegate(session, engine, "mcp-client");
    }

    /**
     * @param session the invocation
     * @param engine its engine
     * @param role the role to define for the delegate
     * @return who acts for the local user on its behalf (an MCP client, an agent): the holder of {@code CODE_API_KEY},
     *         else the local user in {@code role}, which may call every tool, plan and deploy, ask the experts and
     *         run agents, but is asked before each destructive tool call but those config.yaml's
     *         {@code toolsUnconfirmed} lists: a delegate acting for the owner does not inherit the owner's right to
     *         act unasked
     */
    static Principal delegate(Session session, CodeEngine engine, String role) {
        if (session.io().env("CODE_API_KEY") != null) {
            return session.principal();
        }
        Set<Permission> grants = new HashSet<>(Set.of(Permission.parse("tool:call:*"), Permission.parse(
                "deploy:*:*"), Permission.parse("expert:*:*"), Permission.parse("agent:*:*")));
        session.config().toolsUnconfirmed().forEach(t -> grants.add(Permission.parse("tool:unconfirmed:" + t
                .toLowerCase(Locale.ROOT))));
        engine.security().defineRole(role, grants, Set.of());
        return new Principal(session.principal().id(), Principal.Kind.USER, Set.of(role));
    }

    @Command(name = "call", mixinStandardHelpOptions = true, description = {
            "Call one tool of an MCP server and print its result; exit 1 when the tool reports an error.",
            "SERVER is an http(s) URL (Streamable HTTP) or a command line that starts a stdio server."}, footer = {"",
                    "Examples:", "  code mcp call http://127.0.0.1:8765/mcp code_status --args '{}'",
                    "  code mcp call 'code mcp serve --stdio' audit_verify --json",
                    "  code mcp call --token-file key.txt http://127.0.0.1:8765/mcp code_status", "",
                    "An HTTP server started with --require-token needs a credential: an API key or an access token,"
                            + " read from --token-file, else from the environment variable CODE_MCP_TOKEN; it goes"
                            + " in the Authorization header, never on the command line."})
    static final class Call extends BaseCommand {
        /** The environment variable a bearer credential is read from when no {@code --token-file} is given. */
        static final String TOKEN_ENV = "CODE_MCP_TOKEN";
        @Parameters(index = "0", paramLabel = "SERVER", description = "An http(s) URL, or the command of a stdio server.")
        String server;

        @Parameters(index = "1", paramLabel = "TOOL", description = "The tool's name.")
        String tool;

        @Option(names = "--args", paramLabel = "JSON", description = "The arguments, a JSON object (default: {}).")
        String args = "{}";

        @Option(names = "--token-file", paramLabel = "FILE", description = "HTTP: a file holding the bearer credential"
                + " (an API key or an access token) to send, or - for standard input.")
        @Nullable
        Path tokenFile;

        @Override
        int run(Session session) {
            JsonNode arguments;
            try {
                arguments = Output.JSON.readTree(args);
            } catch (JacksonException e) {
                throw CliException.usage("--args must be a JSON object: " + e.getOriginalMessage(),
                        "e.g. --args '{\"run\": \"abc\"}'");
            }
            if (!arguments.isObject()) {
                throw CliException.usage("--args must be a JSON object, not " + arguments.getNodeType(),
                        "e.g. --args '{}'");
            }
            McpClient.Builder builder = McpClient.builder().info("code", Versions.version(CodeApp.class));
            boolean web = server.startsWith("http://") || server.startsWith("https://");
            Secret token = token(session, web);
            if (token != null) {
                builder.bearer(token);
            }
            try (McpClient client = web
                    ? builder.connect(URI.create(server))
                    : builder.connectStdio(Arrays.asList(server.trim().split("\\s+")))) {
                McpToolResult result = client.callTool(tool, arguments);
                Output out = session.out();
                if (out.json()) {
                    ObjectNode json = Output.object().put("isError", result.isError());
                    json.putPOJO("content", result.content());
                    json.set("structuredContent", result.structuredContent());
                    out.print(json);
                } else {
                    for (ObjectNode content : result.content()) {
                        out.line(content.has("text") ? content.get("text").asString() : content.toString());
                    }
                }
                return result.isError() ? CodeApp.FAILURE : CodeApp.OK;
            }
        }

        /** {@return the bearer credential from --token-file or the environment, or null when neither gives one} */
        private @Nullable Secret token(Session session, boolean web) {
            String text;
            String source;
            if (tokenFile != null) {
                if (!web) {
                    throw CliException.usage("--token-file goes with an http(s) server: a stdio server is this"
                            + " user's own process", "drop --token-file");
                }
                source = "--token-file";
                try {
                    text = tokenFile.toString().equals("-")
                            ? new String(session.io().in().readAllBytes(), StandardCharsets.UTF_8)
                            : Files.readString(tokenFile);
                } catch (IOException e) {
                    throw CliException.usage("--token-file: cannot read " + tokenFile + ": " + e.getMessage(),
                            "give a readable file, or - for standard input");
                }
            } else {
                source = TOKEN_ENV;
                text = web ? session.io().env(TOKEN_ENV) : null;
                if (text == null || text.isBlank()) {
                    return null;
                }
            }
            text = text.strip();
            if (text.isEmpty() || text.chars().anyMatch(c -> c <= ' ' || c > '~')) {
                throw CliException.usage(source + " must hold one token of printable ASCII without spaces",
                        "put the API key or access token alone in it");
            }
            return Secret.of(text);
        }
    }
}
