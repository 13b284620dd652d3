package org.codeengine.plugin.tools.command;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.support.CatalogueTools;
import org.codeengine.plugin.support.ToolSettingsReader;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code command} tool provider. Settings ({@code tools.command} in the app's {@code config.yaml}):
 *
 * <pre>{@code
 * executables: [git, ls, /opt/tools/bin/lint]  # names are looked up on the PATH once, at configuration (required)
 * roots: ["."]                 # working directories must lie beneath one; relative ones against the home (required)
 * env: [PATH, HOME, LANG]      # the environment variables passed on from the host; all others are dropped
 * timeoutSeconds: 30           # a call's default timeout; a call may ask for less or more, up to maxTimeoutSeconds
 * maxTimeoutSeconds: 600
 * maxOutputBytes: 65536        # the most bytes kept of standard output, and of standard error
 * }</pre>
 */
public final class CommandToolProvider extends CatalogueTools {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> SETTINGS = Set.of("executables", "roots", "env", "timeoutSeconds",
            "maxTimeoutSeconds", "maxOutputBytes");
    private static final List<String> DEFAULT_ENV = List.of("PATH", "HOME", "LANG", "LC_ALL", "TZ");
    private static final ToolDescriptor RUN = new ToolDescriptor("command_run", "Run an allow-listed program with "
            + "arguments, never through a shell (so $, ;, |, * and quotes reach it as they are), in a working "
            + "folder beneath the roots. Returns its exit code and output; output past the cap is cut and marked. "
            + "On timeout or cancellation the program and everything it started are killed.",
            JSON.readTree(
                    """
                            {"type": "object", "properties": {
                              "command": {"type": "string", "description": "An allow-listed program: its name or absolute path"},
                              "args": {"type": "array", "items": {"type": "string"}},
                              "cwd": {"type": "string", "description": "The working folder, beneath a root (default: the first root)"},
                              "timeoutSeconds": {"type": "integer", "minimum": 1}},
                             "required": ["command"], "additionalProperties": false}"""),
            JSON.readTree("""
                    {"type": "object", "properties": {"exitCode": {"type": "integer"}, "stdout": {"type": "string"},
                      "stderr": {"type": "string"}, "truncated": {"type": "boolean"},
                      "timedOut": {"type": "boolean"}},
                     "required": ["exitCode", "stdout", "stderr", "truncated", "timedOut"]}"""), ToolAnnotations
                    .destructive(false, true));

    /** What the host configured. */
    private record Config(Map<String, Path> executables, List<Path> roots, Map<String, String> env,
            int timeoutSeconds, int maxTimeoutSeconds, int maxOutputBytes) {}

    private final @Nullable Config config;

    /** The provider as {@link java.util.ServiceLoader} finds it: not serving until the host configures it. */
    public CommandToolProvider() {
        super("command");
        this.config = null;
    }

    private CommandToolProvider(Config config) {
        super("command");
        this.config = config;
    }

    @Override
    public Optional<String> unavailable() {
        return ProcessTree.groupKill()
                ? Optional.empty()
                : Optional.of("a run's process group cannot be signalled here (no setsid, or no native access: "
                        + "--enable-native-access=" + moduleName() + "); a grandchild that left its parent may "
                        + "outlive a timeout");
    }

    private static String moduleName() {
        Module module = CommandToolProvider.class.getModule();
        return module.isNamed() ? module.getName() : "ALL-UNNAMED";
    }

    @Override
    public ToolProvider configured(ToolSettings settings) {
        ToolSettingsReader s = new ToolSettingsReader(name(), settings, SETTINGS);
        Map<String, Path> executables = new TreeMap<>();
        for (String name : s.strings("executables", null)) {
            Path resolved = resolveExecutable(name);
            executables.put(name, resolved);
            executables.put(resolved.toString(), resolved);
        }
        if (executables.isEmpty()) {
            throw new ConfigurationException("tools.command.executables must list at least one program", null);
        }
        List<Path> roots = s.folders("roots", List.of("."));
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : s.strings("env", DEFAULT_ENV)) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        int maxTimeout = s.positive("maxTimeoutSeconds", 600);
        int timeout = s.positive("timeoutSeconds", 30);
        if (timeout > maxTimeout) {
            throw new ConfigurationException("tools.command.timeoutSeconds must not exceed maxTimeoutSeconds ("
                    + maxTimeout + ")", null);
        }
        return new CommandToolProvider(new Config(Map.copyOf(executables), roots, Map.copyOf(env), timeout,
                maxTimeout, s.positive("maxOutputBytes", 64 * 1024)));
    }

    /** {@return the program's absolute, real path: given absolute, or found once on the host's PATH} */
    private static Path resolveExecutable(String name) {
        List<Path> candidates = new ArrayList<>();
        if (name.contains("/")) {
            if (!name.startsWith("/")) {
                throw new ConfigurationException("tools.command.executables: '" + name + "' must be a bare name or "
                        + "an absolute path", null);
            }
            candidates.add(Path.of(name));
        } else {
            String path = System.getenv("PATH");
            for (String dir : (path == null ? "/usr/bin:/bin" : path).split(File.pathSeparator)) {
                if (!dir.isEmpty() && dir.startsWith("/")) {
                    candidates.add(Path.of(dir, name));
                }
            }
        }
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                try {
                    return candidate.toRealPath();
                } catch (IOException e) {
                    // vanished meanwhile: try the next
                }
            }
        }
        throw new ConfigurationException("tools.command.executables: '" + name + "' is not an executable file"
                + (name.contains("/") ? "" : " on the PATH"), null);
    }

    @Override
    public List<ToolDescriptor> tools() {
        return List.of(RUN);
    }

    @Override
    protected boolean configuredYet() {
        return config != null;
    }

    @Override
    protected ToolResult run(String tool, JsonNode arguments, ToolContext context) {
        Config c = Objects.requireNonNull(config, "run only once configured");
        String command = arguments.path("command").asString("");
        Path program = c.executables().get(command);
        if (program == null) {
            return error("command '" + command + "' is not on the allow-list (" + String.join(", ", c.executables()
                    .keySet().stream().filter(k -> !k.startsWith("/")).toList()) + ")");
        }
        List<String> argv = new ArrayList<>(List.of(program.toString()));
        for (JsonNode arg : arguments.path("args")) {
            if (arg.asString().indexOf('\0') >= 0) {
                return error("args must not contain a NUL character");
            }
            argv.add(arg.asString());
        }
        Path cwd;
        try {
            cwd = workingDirectory(c, arguments.path("cwd").asString(""));
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
        int timeout = arguments.has("timeoutSeconds")
                ? arguments.get("timeoutSeconds").asInt()
                : c
                        .timeoutSeconds();
        if (timeout < 1 || timeout > c.maxTimeoutSeconds()) {
            return error("timeoutSeconds must be between 1 and " + c.maxTimeoutSeconds());
        }
        ProcessTree.Outcome outcome;
        try {
            outcome = ProcessTree.run(argv, cwd, c.env(), timeout * 1000L, c.maxOutputBytes());
        } catch (IOException e) {
            return error("command '" + command + "' could not start: " + e.getMessage());
        }
        ObjectNode structured = JSON.createObjectNode().put("exitCode", outcome.exitCode()).put("stdout", outcome
                .stdout()).put("stderr", outcome.stderr()).put("truncated", outcome.truncated()).put("timedOut",
                        outcome.end() == ProcessTree.End.TIMED_OUT);
        StringBuilder text = new StringBuilder();
        switch (outcome.end()) {
            case TIMED_OUT -> text.append("command '").append(command).append("' ran past its timeout of ").append(
                    timeout).append(" s; it and every process it started were killed\n");
            case CANCELLED -> text.append("command '").append(command).append("' was cancelled; it and every "
                    + "process it started were killed\n");
            case EXITED -> text.append("exit code ").append(outcome.exitCode()).append('\n');
        }
        text.append(outcome.stdout());
        if (!outcome.stderr().isEmpty()) {
            text.append(outcome.stdout().isEmpty() || outcome.stdout().endsWith("\n") ? "" : "\n").append(
                    "[stderr]\n").append(outcome.stderr());
        }
        if (outcome.truncated()) {
            text.append("\n[truncated: at most ").append(c.maxOutputBytes()).append(" bytes of each stream]");
        }
        return new ToolResult(text.toString(), structured, outcome.end() != ProcessTree.End.EXITED);
    }

    /**
     * {@return the working directory's real path, beneath a root}
     *
     * @throws IllegalArgumentException naming {@code cwd} and the rule it breaks
     */
    private static Path workingDirectory(Config c, String cwd) {
        if (cwd.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("cwd must not contain a NUL character");
        }
        Path wanted = cwd.isEmpty() ? c.roots().getFirst() : c.roots().getFirst().resolve(cwd);
        Path real;
        try {
            real = wanted.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("cwd '" + cwd + "' does not exist");
        }
        if (c.roots().stream().noneMatch(real::startsWith)) {
            throw new IllegalArgumentException("cwd '" + cwd + "' lies outside the roots " + c.roots());
        }
        if (!Files.isDirectory(real)) {
            throw new IllegalArgumentException("cwd '" + cwd + "' is not a folder");
        }
        return real;
    }

    private static ToolResult error(String message) {
        return new ToolResult(message, null, true);
    }
}
