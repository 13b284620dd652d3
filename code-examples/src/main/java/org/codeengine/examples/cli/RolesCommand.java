package org.codeengine.examples.cli;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Role;
import org.codeengine.api.security.Security;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code code roles define|list|delete}: the roles accounts and API keys carry, kept in the store so that every process
 * on it knows them. The role {@code admin} is built in and grants everything.
 */
@Command(name = "roles", mixinStandardHelpOptions = true, description = "Define, list and delete roles.", subcommands = {
        RolesCommand.Define.class, RolesCommand.ListRoles.class, RolesCommand.Delete.class}, footer = {"",
                "Examples:", "  code roles define deployer --grant 'deploy:*:dev' --grant deploy:read",
                "  code roles list", "  code roles delete deployer"})
final class RolesCommand extends CommandGroup {
    @Command(name = "define", mixinStandardHelpOptions = true, description = {
            "Add a role, or replace the one of that name. A permission is domain:action[:instance], '*' for any "
                    + "part: deploy:run:prod, deploy:*:dev, expert:query, tool:call:search, *:read.",
            "Accounts and keys that hold the role get its grants from their next call."}, footer = {"", "Examples:",
                    "  code roles define deployer --grant 'deploy:*:dev' --grant deploy:read",
                    "  code roles define lead --grant 'deploy:*:prod' --inherit deployer"})
    static final class Define extends BaseCommand {
        @Parameters(paramLabel = "NAME", description = "The role's name: lower case letters, digits, '.', '_', '-'.")
        String name;

        @Option(names = "--grant", paramLabel = "PERMISSION", description = "A permission it grants; repeat for more.")
        List<String> grants = List.of();

        @Option(names = "--inherit", paramLabel = "ROLE", description = "A defined role whose grants it has too; "
                + "repeat for more.")
        List<String> inherits = List.of();

        @Override
        int run(Session session) {
            if (grants.isEmpty() && inherits.isEmpty()) {
                throw CliException.usage("role '" + name + "' would grant nothing", "add --grant PERMISSION or "
                        + "--inherit ROLE");
            }
            Set<Permission> permissions = new LinkedHashSet<>();
            for (String grant : grants) {
                try {
                    permissions.add(Permission.parse(grant));
                } catch (IllegalArgumentException e) {
                    throw CliException.usage("--grant " + e.getMessage(), "write it as domain:action[:instance], "
                            + "e.g. deploy:run:prod");
                }
            }
            session.engine().security().defineRole(name, permissions, new LinkedHashSet<>(inherits));
            Output out = session.out();
            if (out.json()) {
                out.print(json(new Role(name, permissions, new LinkedHashSet<>(inherits))));
            } else {
                out.line("defined " + name);
            }
            return CodeApp.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the roles and what each grants.", footer = {
            "", "Examples:", "  code roles list", "  code roles list --json"})
    static final class ListRoles extends ReadingCommand {
        @Override
        int run(Session session) {
            Security security = session.engine().security();
            List<Role> roles = security.roles();
            Output out = session.out();
            if (out.json()) {
                ArrayNode array = Output.JSON.createArrayNode();
                roles.forEach(role -> array.add(json(role)));
                out.print(Output.object().set("roles", array));
                return CodeApp.OK;
            }
            int width = roles.stream().mapToInt(r -> r.name().length()).max().orElse(4);
            out.line(out.bold(pad("ROLE", width) + "  GRANTS") + out.bold("  INHERITS"));
            for (Role role : roles) {
                out.line(pad(role.name(), width) + "  " + String.join(" ", sorted(role.grants().stream().map(
                        Permission::toString).toList())) + (role.inherits().isEmpty()
                                ? ""
                                : "  " + out.dim(String.join(" ", sorted(role.inherits())))));
            }
            return CodeApp.OK;
        }

        private static String pad(String text, int width) {
            return text + " ".repeat(Math.max(0, width - text.length()));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {"Delete a role. Accounts and keys "
            + "that hold it lose its grants; a role another role inherits cannot be deleted."}, footer = {"",
                    "Examples:", "  code roles delete deployer"})
    static final class Delete extends BaseCommand {
        @Parameters(paramLabel = "NAME", description = "The role's name.")
        String name;

        @Override
        int run(Session session) {
            session.engine().security().removeRole(name);
            Output out = session.out();
            if (out.json()) {
                out.print(Output.object().put("role", name).put("deleted", true));
            } else {
                out.line("deleted " + name);
            }
            return CodeApp.OK;
        }
    }

    static ObjectNode json(Role role) {
        ObjectNode node = Output.object().put("name", role.name());
        ArrayNode grants = node.putArray("grants");
        sorted(role.grants().stream().map(Permission::toString).toList()).forEach(grants::add);
        ArrayNode inherits = node.putArray("inherits");
        sorted(role.inherits()).forEach(inherits::add);
        return node;
    }

    private static Set<String> sorted(Collection<String> texts) {
        return new TreeSet<>(texts);
    }
}
