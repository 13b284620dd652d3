package org.codeengine.examples.cli;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import org.codeengine.api.security.Security;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code code keys create|revoke}: API keys for programs (and for this app, through {@code CODE_API_KEY}). */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create and revoke API keys.", subcommands = {
        KeysCommand.Create.class, KeysCommand.Revoke.class}, footer = {"", "Examples:",
                "  code keys create --owner ci-bot --role admin --ttl 90d", "  code keys revoke k_3f2a..."})
final class KeysCommand extends CommandGroup {
    @Command(name = "create", mixinStandardHelpOptions = true, description = {
            "Create an API key. The key is printed once, now; only its hash is stored.",
            "Programs present it as a bearer key; this app uses it when CODE_API_KEY is set."}, footer = {"",
                    "Examples:", "  code keys create --owner ci-bot --role admin",
                    "  code roles define deployer --grant 'deploy:*:dev'",
                    "  code keys create --owner ci-deploy --role deployer --ttl 30d --json"})
    static final class Create extends BaseCommand {
        @Option(names = "--owner", required = true, description = "Who the key authenticates as.")
        String owner;

        @Option(names = "--role", required = true, description = "A role the key carries (admin, or one 'code roles "
                + "define' made); repeat for more.")
        List<String> roles;

        @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class, description = "How long it works, e.g. 90d (default: until revoked).")
        @Nullable
        Duration ttl;

        @Override
        int run(Session session) {
            Security.IssuedApiKey key = session.engine().security().createApiKey(owner, new LinkedHashSet<>(roles),
                    ttl);
            Output out = session.out();
            if (out.json()) {
                out.print(Output.object().put("id", key.id()).put("key", key.key().reveal()).put("owner", owner).put(
                        "expiresAt", key.expiresAt() == null ? null : key.expiresAt().toString()));
            } else {
                out.line("id       " + key.id());
                out.line("key      " + out.bold(key.key().reveal()));
                out.line("expires  " + (key.expiresAt() == null ? "never (until revoked)" : key.expiresAt()));
                out.line(out.dim("the key is shown this once; store it in a secret manager"));
            }
            return CodeApp.OK;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke an API key: it stops working "
            + "at once.", footer = {"", "Examples:", "  code keys revoke k_3f2a..."})
    static final class Revoke extends BaseCommand {
        @Parameters(paramLabel = "ID", description = "The key's id, as 'keys create' printed it.")
        String id;

        @Override
        int run(Session session) {
            session.engine().security().revokeApiKey(id);
            Output out = session.out();
            if (out.json()) {
                out.print(Output.object().put("id", id).put("revoked", true));
            } else {
                out.line("revoked " + id);
            }
            return CodeApp.OK;
        }
    }
}
