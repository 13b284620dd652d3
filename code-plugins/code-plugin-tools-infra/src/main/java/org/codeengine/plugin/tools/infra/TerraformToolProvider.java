package org.codeengine.plugin.tools.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.plugin.support.CatalogueTools;
import org.codeengine.plugin.support.JsonBodies;
import org.codeengine.plugin.support.ToolKit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The {@code terraform} tool provider: {@code terraform_plan} initialises and plans into a plan file,
 * {@code terraform_apply} applies exactly that saved plan, {@code terraform_show} reads the state as JSON. Everything
 * runs in the one working directory the host configured; no argument names a path, variables travel as argv
 * ({@code -var name=value}, never a shell), the environment holds only PATH, HOME and Terraform's automation switches
 * (no update check), and a run past its time is killed with its provider processes.
 *
 * <p>Settings ({@code tools.terraform}): {@code dir} (required, relative to the host's home), {@code binary}
 * (terraform on the PATH), {@code timeout-seconds} (300).
 */
public final class TerraformToolProvider extends CatalogueTools {
    static final String WHERE = "tools.terraform";
    static final String PLAN = "code.tfplan";
    private static final int OUTPUT_CAP = 1 << 20;

    private final @Nullable Path dir;
    private final @Nullable Path binary;
    private final Duration timeout;

    /** The provider as ServiceLoader makes it: not configured. */
    public TerraformToolProvider() {
        this(null, Processes.onPath("terraform").orElse(null), Duration.ofMinutes(5));
    }

    private TerraformToolProvider(@Nullable Path dir, @Nullable Path binary, Duration timeout) {
        super("terraform");
        this.dir = dir;
        this.binary = binary;
        this.timeout = timeout;
    }

    @Override
    public ToolProvider configured(ToolSettings settings) {
        JsonNode s = settings.settings();
        String folder = ToolKit.settingText(s, WHERE, "dir");
        if (folder == null) {
            throw new ConfigurationException("setting " + WHERE + ".dir is required: the one working directory the"
                    + " terraform tools run in", null);
        }
        Path dir = settings.home().resolve(folder).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new ConfigurationException("setting " + WHERE + ".dir names " + dir + ", which is not a folder",
                    null);
        }
        String program = ToolKit.settingText(s, WHERE, "binary");
        Path binary = program == null ? Processes.onPath("terraform").orElse(null) : Path.of(program);
        return new TerraformToolProvider(dir, binary, Duration.ofSeconds(ToolKit.setting(s, WHERE,
                "timeout-seconds", 300, 1, 3600)));
    }

    @Override
    protected boolean configuredYet() {
        return dir != null && binary != null;
    }

    @Override
    public Optional<String> unavailable() {
        if (binary == null || !Files.isExecutable(binary)) {
            return Optional.of("no terraform binary: none on the PATH (or setting " + WHERE + ".binary)");
        }
        return dir == null
                ? Optional.of("no working directory configured: set " + WHERE + ".dir")
                : Optional.empty();
    }

    @Override
    public List<ToolDescriptor> tools() {
        ToolKit.Schema plan = ToolKit.schema();
        plan.property("variables", "object", "Input variables, passed as -var name=value", false).putObject(
                "additionalProperties").put("type", "string");
        ObjectNode none = ToolKit.schema().build();
        ObjectNode runOut = ToolKit.schema().integer("exit_code", "terraform's exit status", 0, 255).string(
                "output", "What terraform printed", true).flag("truncated", "Whether the output was cut").flag(
                        "changes", "Whether the plan changes anything (plan only)")
                .build();
        ObjectNode showOut = ToolKit.schema().build();
        showOut.withObject("properties").putObject("state").put("type", "object");
        return List.of(new ToolDescriptor("terraform_plan", "Initialises the configured working directory and plans"
                + " into a saved plan that terraform_apply applies.", plan.build(), runOut,
                new ToolAnnotations(false,
                        false, true, true)),
                new ToolDescriptor("terraform_apply",
                        "Applies the plan terraform_plan saved, exactly as planned.", none, runOut,
                        ToolAnnotations.destructive(false, true)),
                new ToolDescriptor("terraform_show",
                        "Reads the working directory's state as JSON.", none, showOut,
                        ToolAnnotations.readOnly(false)));
    }

    @Override
    protected ToolResult run(String tool, JsonNode args, ToolContext context) {
        Path where = java.util.Objects.requireNonNull(dir);
        return switch (tool) {
            case "terraform_plan" -> plan(where, args);
            case "terraform_apply" -> {
                if (!Files.isRegularFile(where.resolve(PLAN))) {
                    throw ToolKit.fail("terraform_apply applies only a saved plan, and there is none: call"
                            + " terraform_plan first");
                }
                Processes.Outcome applied = terraform(where, List.of("apply", "-input=false", "-no-color", PLAN));
                yield result(applied, applied.exitCode() == 0, null);
            }
            default -> {
                Processes.Outcome shown = terraform(where, List.of("show", "-json", "-no-color"));
                if (shown.exitCode() != 0 || shown.truncated()) {
                    yield result(shown, false, null);
                }
                ObjectNode out = JsonBodies.object();
                out.set("state", JsonBodies.parse(shown.output(), "terraform show"));
                yield ToolKit.success(out);
            }
        };
    }

    private ToolResult plan(Path where, JsonNode args) {
        List<String> argv = new ArrayList<>(List.of("plan", "-input=false", "-no-color", "-detailed-exitcode",
                "-out=" + PLAN));
        JsonNode variables = args.path("variables");
        if (variables.isObject()) {
            for (Map.Entry<String, JsonNode> v : variables.properties()) {
                if (!v.getKey().matches("[A-Za-z_][A-Za-z0-9_-]*")) {
                    throw ToolKit.fail("argument 'variables' holds '" + v.getKey() + "', which is not a variable"
                            + " name");
                }
                argv.add("-var");
                argv.add(v.getKey() + "=" + v.getValue().asString());
            }
        }
        Processes.Outcome init = terraform(where, List.of("init", "-input=false", "-no-color"));
        if (init.exitCode() != 0) {
            return result(init, false, null);
        }
        Processes.Outcome planned = terraform(where, argv);
        // -detailed-exitcode: 0 nothing to change, 2 changes, 1 an error
        return result(planned, planned.exitCode() != 1, planned.exitCode() == 2);
    }

    private Processes.Outcome terraform(Path where, List<String> args) {
        List<String> argv = new ArrayList<>();
        argv.add(java.util.Objects.requireNonNull(binary).toString());
        argv.addAll(args);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("HOME", System.getProperty("user.home"));
        env.put("TF_IN_AUTOMATION", "1");
        env.put("TF_INPUT", "0");
        env.put("CHECKPOINT_DISABLE", "1");
        return Processes.run(argv, where, env, timeout, OUTPUT_CAP);
    }

    private static ToolResult result(Processes.Outcome outcome, boolean ok, @Nullable Boolean changes) {
        ObjectNode out = JsonBodies.object().put("exit_code", outcome.exitCode()).put("output", outcome.output())
                .put("truncated", outcome.truncated());
        if (changes != null) {
            out.put("changes", changes);
        }
        return ok
                ? ToolKit.success(out)
                : new ToolResult("terraform failed with exit status " + outcome.exitCode()
                        + ":\n" + outcome.output(), out, true);
    }
}
