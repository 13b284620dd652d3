package org.codeengine.examples.cli;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The root of the command tree. Its options are inherited by every subcommand ({@code code demo --json}). A later
 * command group, such as {@code code mcp serve|call}, is one more class in {@code subcommands}.
 */
@Command(name = "code", mixinStandardHelpOptions = true, versionProvider = Versions.class, sortOptions = false, usageHelpAutoWidth = true, description = {
        "CODE from the command line: deploy services, ask a circle of experts, and guard it all with "
                + "audited security.",
        "", "Settings come from flags, then environment variables, then <home>/config.yaml (keys: store, "
                + "storeUser, storePassword, storeSchema, experts, eval, benchmarks)."}, subcommands = {
                        DemoCommand.class, RunCommands.Deploy.class, RunCommands.PlanCmd.class,
                        RunCommands.Status.class, RunCommands.Rollback.class, RunCommands.Resume.class,
                        AskCommand.class,
                        AuditCommand.class, EventsCommand.class, SecretsCommand.class, KeysCommand.class,
                        UsersCommand.class, RolesCommand.class,
                        PluginsCommand.class, BenchCommand.class, McpCommand.class, AgentCommand.class,
                        HelpCommand.class}, footer = {"", "Examples:",
                                "  code demo                       deploy a sample stack, ask the experts, verify "
                                        + "the audit log",
                                "  code plan shop.yaml             check a plan without running it",
                                "  code ask \"What is 17 * 23?\"     ask the experts configured or found in the environment",
                                "  code --home /tmp/c status       list the runs kept in another home folder", "",
                                "Environment: CODE_HOME, CODE_STORE, CODE_STORE_USER, CODE_STORE_PASSWORD, CODE_API_KEY, "
                                        + "CODE_MASTER_KEY, CODE_EVAL, NO_COLOR; and for bin/code: CODE_PLUGINS (plugin "
                                        + "jars and folders, ':'-separated), CODE_VECTOR (auto, on or off: the Vector API "
                                        + "module), CODE_CDS (off: no start-up cache, no kept --help text), "
                                        + "CODE_JAVA_OPTS (more JVM options), CODE_SERVER_HEAP ('mcp serve' heap, default "
                                        + "256m), CODE_APP_JAR (the app's jar, for a copy of bin/code).",
                                "Exit codes: 0 done, 1 the work failed, 2 the command line or a file it names is wrong."})
final class CodeCommand extends CommandGroup {
    final Io io;

    @Option(names = "--home", paramLabel = "DIR", scope = ScopeType.INHERIT, description = "Home folder: config.yaml, keys, the embedded store (default: $CODE_HOME, else $HOME/.code, else .code in the JVM's user.home); created readable by its owner only.")
    @Nullable
    Path home;

    @Option(names = "--store", paramLabel = "URL|FILE", scope = ScopeType.INHERIT, description = "The store: a JDBC URL, or an H2 file under the home folder (default: <home>/code-db).")
    @Nullable
    String store;

    @Option(names = "--json", scope = ScopeType.INHERIT, description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--no-color", scope = ScopeType.INHERIT, description = "No colours or live display (also when NO_COLOR is set or the output is not a terminal).")
    boolean noColor;

    @Option(names = {"-v",
            "--verbose"}, scope = ScopeType.INHERIT, description = "Show the engine's log and stack traces of errors.")
    boolean verbose;

    CodeCommand(Io io) {
        this.io = io;
    }
}
