package org.codeengine.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.AgentRun;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.agents.Budget;
import org.codeengine.api.agents.StopReason;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.tools.Confirmer;
import org.codeengine.core.AgentRoles;
import org.codeengine.core.CodeEngine;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code code agent run|roles|show}: an agent that uses CODE's tools to do a task, and the roles it can take. */
@Command(name = "agent", mixinStandardHelpOptions = true, description = "Run an agent: a model that uses CODE's "
        + "tools to do a task, as you narrowed to its role.", subcommands = {AgentCommand.Run.class,
                AgentCommand.Roles.class, AgentCommand.Show.class}, footer = {"", "Examples:",
                        "  code agent roles",
                        "  code agent run security-threat-analyst \"Look for leaked keys\" --tools files --root .",
                        "  code agent run my-role.yaml \"...\" --model openai:gpt-4.1-mini --json"})
final class AgentCommand extends CommandGroup {
    @Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false, description = {
            "Run an agent on a task and show its transcript live: each turn, each tool call and its result, then "
                    + "the answer. With --json, one document at the end: the answer, why it stopped, the usage, the "
                    + "cost and every turn.",
            "ROLE is a role file, a name in <home>/agents/, or a ready-made role (see 'code agent roles'). Its brain "
                    + "'panel: agents' is the panel of --experts (else 'experts:' in config.yaml, else the providers "
                    + "whose keys are set); its gate's panel 'reviewers' is --reviewers, else the same panel. A "
                    + "destructive call the gate leaves to a person is asked on the terminal.",
            "The agent acts as you in the role agent-runner: every tool, but asked before each destructive call "
                    + "(toolsUnconfirmed in config.yaml lists exceptions). Exits 0 when it answered, 1 when it "
                    + "stopped otherwise."}, footer = {"", "Examples:",
                            "  code agent run integration-tester \"Run the tests\" --tools files,command --root .",
                            "  code agent run deployment-orchestrator \"Deploy plan.yaml to staging\" --json"})
    static final class Run extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ROLE", description = "A role file, or a role's name.")
        String role;

        @Parameters(index = "1", paramLabel = "TASK", description = "What the agent is to do.")
        String task;

        @Option(names = "--experts", paramLabel = "FILE|LIST|replay", description = "The panel that thinks for a role whose brain is 'panel: agents'.")
        @Nullable
        String experts;

        @Option(names = "--reviewers", paramLabel = "FILE|LIST|replay", description = "The panel that votes on destructive calls (default: the --experts panel).")
        @Nullable
        String reviewers;

        @Option(names = "--model", paramLabel = "PROVIDER:MODEL", description = "Think with this model instead of the role's brain.")
        @Nullable
        String model;

        @Option(names = "--eval", paramLabel = "DIR|FILE", description = "The recorded replies for replay experts.")
        @Nullable
        Path eval;

        @Mixin
        ToolPluginOptions toolPlugins = new ToolPluginOptions();

        @Option(names = "--steps", paramLabel = "N", description = "The most model turns (default: the role's).")
        @Nullable
        Integer steps;

        @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class, description = "The longest the run may take (default: the role's).")
        @Nullable
        Duration timeout;

        @Override
        int run(Session session) {
            if (task.isBlank()) {
                throw CliException.usage("TASK must not be blank", "say what the agent is to do");
            }
            if (steps != null && steps < 1) {
                throw CliException.usage("--steps must be at least 1, not " + steps, "see 'code agent run --help'");
            }
            Brain.Model override = model == null ? null : model(model);
            ExpertPanel panel = panel(session, override);
            ExpertPanel voting = reviewers == null ? panel : Panels.resolve(session, reviewers, eval);
            CodeEngine[] built = new CodeEngine[1];
            CodeEngine engine = session.engine(null, List.of(new FaceTools(() -> built[0], false)), toolPlugins
                    .settings(session.config()), builder -> {
                        if (panel != null) {
                            builder.panel("agents", panel);
                        }
                        if (voting != null) {
                            builder.panel("reviewers", voting);
                        }
                        if (override != null) {
                            ProviderConfig config = Panels.fromEnvironment(session.io(), override.provider());
                            if (config != null) {
                                builder.agentProvider(override.provider(), config);
                            }
                        }
                    });
            built[0] = engine;
            AgentSpec spec = adjust(AgentReports.role(session, engine.agents(), role), override);
            CallContext context = new CallContext(McpCommand.delegate(session, engine, "agent-runner"), null, "cli-"
                    + UUID.randomUUID());
            Output out = session.out();
            java.util.function.UnaryOperator<String> redact = engine.security().scanner()::redact;
            AgentRun run = engine.agents().run(context, spec, task, person(session, out));
            if (!out.json()) {
                out.line(out.bold("agent " + spec.name()) + out.dim("  run " + run.runId()));
                run.onEvent(event -> AgentReports.lines(event, redact).forEach(line -> out.line(line.startsWith("──")
                        ? out.dim(line)
                        : line)));
            }
            AgentResult result = run.await(spec.budget().wallTime().plusSeconds(30));
            if (out.json()) {
                ObjectNode json = AgentReports.json(result, redact).put("agent", spec.name());
                out.print(json);
            } else if (result.answer() != null) {
                out.line("");
                out.line(out.bold(out.green("answer")));
                out.line(Output.safe(redact.apply(result.answer())));
            }
            if (result.stopReason() != StopReason.ANSWERED) {
                out.error("the agent stopped before it answered: " + result.stopReason().name().toLowerCase(
                        Locale.ROOT) + " (" + redact.apply(result.detail()) + ")", "see its transcript with --json; "
                                + "'code agent run --help' lists the budgets you can raise");
                return CodeApp.FAILURE;
            }
            return CodeApp.OK;
        }

        /** {@return the panel the role thinks with, or null when a model is given and no panel is configured} */
        private @Nullable ExpertPanel panel(Session session, Brain.@Nullable Model override) {
            if (override != null && experts == null && session.config().experts() == null) {
                return Panels.fromEnvironment(session.io());
            }
            return Panels.resolve(session, experts, eval);
        }

        private AgentSpec adjust(AgentSpec spec, Brain.@Nullable Model override) {
            Budget b = spec.budget();
            Budget budget = new Budget(steps == null ? b.steps() : steps, b.tokens(), b.costUsd(), timeout == null
                    ? b.wallTime()
                    : timeout, b.malformedCalls());
            return new AgentSpec(spec.name(), spec.description(), spec.role(), override == null
                    ? spec.brain()
                    : override, spec.tools(), budget, spec.gate());
        }

        private static Brain.Model model(String text) {
            String[] parts = text.strip().split(":", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw CliException.usage("--model '" + text + "' is not provider:model", "e.g. --model "
                        + "openai:gpt-4.1-mini");
            }
            return new Brain.Model(parts[0].strip(), parts[1].strip());
        }

        /**
         * {@return a person at the terminal, asked on standard error and answering on standard input (y or yes
         *         approves); null when the app runs without a terminal, so nobody can be asked}
         */
        private static @Nullable Confirmer person(Session session, Output out) {
            if (!session.io().terminal()) {
                return null;
            }
            BufferedReader answers = new BufferedReader(new InputStreamReader(session.io().in(),
                    StandardCharsets.UTF_8));
            return question -> {
                synchronized (answers) {
                    session.io().err().print(Output.safe(question) + " [y/N] ");
                    session.io().err().flush();
                    try {
                        String answer = answers.readLine();
                        return answer != null && List.of("y", "yes").contains(answer.strip().toLowerCase(
                                Locale.ROOT));
                    } catch (IOException e) {
                        return false;
                    }
                }
            };
        }
    }

    @Command(name = "roles", mixinStandardHelpOptions = true, description = "List the ready-made agent roles and "
            + "those in <home>/agents/.", footer = {"", "Examples:", "  code agent roles", "  code agent roles --json"})
    static final class Roles extends ReadingCommand {
        @Override
        int run(Session session) {
            List<AgentSpec> specs = new ArrayList<>();
            for (String name : AgentRoles.NAMES) {
                specs.add(AgentRoles.load(session.engine().agents(), name));
            }
            Path own = session.home().resolve("agents");
            if (java.nio.file.Files.isDirectory(own)) {
                try (var files = java.nio.file.Files.list(own)) {
                    for (Path file : files.filter(f -> f.toString().matches(".*\\.(ya?ml|json)")).sorted().toList()) {
                        specs.add(session.engine().agents().load(file));
                    }
                } catch (IOException e) {
                    throw CliException.failure("cannot list " + own + ": " + e.getMessage(), "check its "
                            + "permissions");
                }
            }
            Output out = session.out();
            if (out.json()) {
                ArrayNode list = Output.JSON.createArrayNode();
                specs.forEach(s -> list.addObject().put("name", s.name()).put("description", s.description())
                        .put("gate", s.gate().mode().name().toLowerCase(Locale.ROOT)).putPOJO("tools", s.tools()));
                out.print(list);
            } else {
                for (AgentSpec s : specs) {
                    out.line(out.bold(s.name()) + "  " + out.dim("gate " + s.gate().mode().name().toLowerCase(
                            Locale.ROOT)));
                    out.line("  " + Output.safe(s.description()));
                    out.line("  " + out.dim("tools " + String.join(", ", s.tools())));
                }
            }
            return CodeApp.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Print a ready-made role's file, to "
            + "copy into <home>/agents/ and change.", footer = {"", "Examples:",
                    "  code agent show integration-tester > ~/.code/agents/integration-tester.yaml"})
    static final class Show extends BaseCommand {
        @Parameters(index = "0", paramLabel = "ROLE", description = "A ready-made role's name.")
        String role;

        @Override
        int run(Session session) {
            if (!AgentRoles.NAMES.contains(role)) {
                throw CliException.usage("there is no ready-made role '" + role + "'", "one of " + String.join(
                        ", ", AgentRoles.NAMES));
            }
            session.io().out().print(AgentRoles.text(role));
            return CodeApp.OK;
        }
    }
}
