package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** secrets scan, keys, users and audit, in this JVM, on an H2 store in a temporary home folder. */
class SecurityCommandsTest {
    static final String TOKEN = "ghp_" + "Zq8Lm2Xv7Rt4Np1Kd9Wc3Hy6Bf5Gs0Ja8UeT";

    @TempDir
    Path home;

    @TempDir
    Path work;

    @Test
    void secretsScan_findsAToken_withRuleFileAndLine_andNeverPrintsIt() throws Exception {
        Files.createDirectories(work.resolve("src"));
        Files.writeString(work.resolve("src/deploy.env"), "# deploy settings\nREGION=eu\nGITHUB_TOKEN=" + TOKEN
                + "\n");
        Files.writeString(work.resolve("README.md"), "nothing to see\n");
        Files.createDirectories(work.resolve(".git"));
        Files.writeString(work.resolve(".git/config"), "token=" + TOKEN + "\n");

        Cli.Result r = new Cli(home).run("secrets", "scan", work.toString());

        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.out()).contains(work.resolve("src/deploy.env") + ":3:14").contains("github-token").contains(
                "ghp_").contains("2 files scanned, 1 secret found").doesNotContain(TOKEN);
        assertThat(r.all()).doesNotContain(TOKEN);
    }

    @Test
    void secretsScan_withJson_listsFindingsThatParse_andOfACleanFolder_exitsZero() throws Exception {
        Files.writeString(work.resolve("a.txt"), "token " + TOKEN + "\n");
        Cli.Result found = new Cli(home).run("secrets", "scan", work.resolve("a.txt").toString(), "--json");

        assertThat(found.exit()).isEqualTo(1);
        JsonNode finding = found.json().path("findings").get(0);
        assertThat(finding.path("rule").asString()).isEqualTo("github-token");
        assertThat(finding.path("line").asInt()).isEqualTo(1);
        assertThat(found.out()).doesNotContain(TOKEN);

        Files.writeString(work.resolve("a.txt"), "clean\n");
        assertThat(new Cli(home).run("secrets", "scan", work.toString()).exit()).isZero();
        assertThat(new Cli(home).run("secrets", "scan", work.resolve("missing").toString()).exit()).isEqualTo(2);
    }

    @Test
    void keysCreate_givesAKeyTheAppAuthenticatesWith_untilItIsRevoked() {
        Cli.Result created = new Cli(home).run("keys", "create", "--owner", "ci-bot", "--role", "admin", "--ttl",
                "1d", "--json");
        assertThat(created.exit()).as(created.all()).isZero();
        String id = created.json().path("id").asString();
        String key = created.json().path("key").asString();
        assertThat(key).isNotBlank();

        Cli withKey = new Cli(home).env("CODE_API_KEY", key);
        assertThat(withKey.run("status").exit()).isZero();
        Cli.Result tail = new Cli(home).run("audit", "tail", "--json");
        assertThat(tail.json().path("entries").valueStream()).anySatisfy(e -> {
            assertThat(e.path("action").asString()).isEqualTo("auth:api-key");
            assertThat(e.path("principal").asString()).isEqualTo("ci-bot");
            assertThat(e.path("outcome").asString()).isEqualTo("SUCCESS");
        });
        assertThat(tail.out()).doesNotContain(key);

        assertThat(new Cli(home).run("keys", "revoke", id).exit()).isZero();
        Cli.Result refused = withKey.run("status");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains("hint: check CODE_API_KEY").doesNotContain(key);
    }

    @Test
    void usersAdd_enrolsTotp_andRefusesAWeakPassword() {
        Cli.Result added = new Cli(home).stdin("correct horse battery staple\n").run("users", "add", "alice",
                "--role", "admin", "--password-stdin");
        assertThat(added.exit()).as(added.all()).isZero();
        assertThat(added.out()).contains("added alice").contains("otpauth://totp/").doesNotContain(
                "correct horse");

        Cli.Result weak = new Cli(home).stdin("short\n").run("users", "add", "bob", "--role", "admin",
                "--password-stdin");
        assertThat(weak.exit()).isEqualTo(2);
        assertThat(weak.err()).contains("password").doesNotContain("short\n");

        Cli.Result noTerminal = new Cli(home).run("users", "add", "carol", "--role", "admin");
        assertThat(noTerminal.exit()).isEqualTo(2);
        assertThat(noTerminal.err()).contains("--password-stdin");
    }

    @Test
    void auditVerify_ofTheLogOfEarlierCommands_isIntact_withSignedCheckpoints() {
        new Cli(home).run("keys", "create", "--owner", "a", "--role", "admin");
        new Cli(home).run("keys", "create", "--owner", "b", "--role", "admin");

        Cli.Result r = new Cli(home).run("audit", "verify", "--json");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.json().path("intact").asBoolean()).isTrue();
        assertThat(r.json().path("checkpoints").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(Files.exists(home.resolve("keys/audit-ed25519"))).isTrue();
    }

    @Test
    void auditTail_showsTheLatestEntries_inOrder() {
        for (int i = 0; i < 3; i++) {
            new Cli(home).run("keys", "create", "--owner", "owner-" + i, "--role", "admin");
        }
        Cli.Result r = new Cli(home).run("audit", "tail", "-n", "2", "--json");

        assertThat(r.exit()).isZero();
        JsonNode entries = r.json().path("entries");
        assertThat(entries.size()).isEqualTo(2);
        assertThat(entries.get(1).path("sequence").asLong()).isEqualTo(entries.get(0).path("sequence").asLong() + 1);
    }
}
