package org.codeengine.examples.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import org.codeengine.api.Secret;
import org.codeengine.api.security.Security;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code code users add}: accounts for people, with TOTP enrolment. */
@Command(name = "users", mixinStandardHelpOptions = true, description = "Manage user accounts.", subcommands = {
        UsersCommand.Add.class}, footer = {"", "Examples:", "  code users add alice --role admin",
                "  code roles define deployer --grant 'deploy:*:dev'",
                "  printf '%%s\\n' \"$PW\" | code users add bob --role deployer --password-stdin"})
final class UsersCommand extends CommandGroup {
    @Command(name = "add", mixinStandardHelpOptions = true, description = {
            "Add a user account (Argon2id password, ASVS 5 policy: 8 characters or more) and enrol TOTP: the "
                    + "otpauth:// URI is printed once, for an authenticator app; logins need a code from then on.",
            "The password is read without echo from the terminal, or as one line from standard input with "
                    + "--password-stdin; never from a flag."}, footer = {"", "Examples:",
                            "  code users add alice --role admin",
                            "  code roles define deployer --grant 'deploy:*:dev'",
                            "  code users add ci --role deployer --no-totp --password-stdin < pw.txt"})
    static final class Add extends BaseCommand {
        @Parameters(paramLabel = "NAME", description = "The account name.")
        String name;

        @Option(names = "--role", required = true, description = "A role of the account (admin, or one 'code roles "
                + "define' made); repeat for more.")
        List<String> roles;

        @Option(names = "--password-stdin", description = "Read the password as one line from standard input.")
        boolean passwordStdin;

        @Option(names = "--no-totp", negatable = false, description = "Do not enrol TOTP.")
        boolean noTotp;

        @Override
        int run(Session session) {
            Secret password = password(session);
            Security security = session.engine().security();
            security.addUser(name, password, new LinkedHashSet<>(roles));
            Security.TotpEnrollment totp = noTotp ? null : security.enrollTotp(name);
            Output out = session.out();
            if (out.json()) {
                out.print(Output.object().put("user", name).put("totpUri", totp == null ? null : totp.uri().reveal())
                        .put("totpSecret", totp == null ? null : totp.secret().reveal()));
            } else {
                out.line("added " + name + " with role(s) " + String.join(", ", roles));
                if (totp != null) {
                    out.line("TOTP     " + out.bold(totp.uri().reveal()));
                    out.line("secret   " + totp.secret().reveal());
                    out.line(out.dim("shown this once: add it to an authenticator app (as a QR code or by hand)"));
                }
            }
            return CodeApp.OK;
        }

        private Secret password(Session session) {
            if (passwordStdin) {
                try {
                    String line = new BufferedReader(new InputStreamReader(session.io().in(), StandardCharsets.UTF_8))
                            .readLine();
                    if (line == null || line.isEmpty()) {
                        throw CliException.usage("standard input held no password", "pipe the password as one line");
                    }
                    return Secret.of(line);
                } catch (IOException e) {
                    throw CliException.failure("cannot read the password: " + e.getMessage(), "pipe it as one line");
                }
            }
            Console console = System.console();
            if (!session.io().terminal() || console == null) {
                throw CliException.usage("there is no terminal to read the password from",
                        "pass --password-stdin and pipe the password as one line");
            }
            char[] first = console.readPassword("password for %s: ", name);
            char[] again = console.readPassword("again: ");
            try {
                if (first == null || first.length == 0 || !Arrays.equals(first, again)) {
                    throw CliException.usage("the two passwords differ or are empty", "run the command again");
                }
                return Secret.of(new String(first));
            } finally {
                Arrays.fill(first == null ? new char[0] : first, ' ');
                Arrays.fill(again == null ? new char[0] : again, ' ');
            }
        }
    }
}
