package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.codeengine.api.StoreConfig;
import org.codeengine.core.CodeEngine;
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
        assertThat(weak.err()).contains("password").doesNotContain("short\n").as("a plan's hint").doesNotContain(
                "code plan").contains("code users add");

        Cli.Result noTerminal = new Cli(home).run("users", "add", "carol", "--role", "admin");
        assertThat(noTerminal.exit()).isEqualTo(2);
        assertThat(noTerminal.err()).contains("--password-stdin");
    }

    @Test
    void roles_defineListDelete_makeTheHelpsExamplesWork_andUnknownRolesAreRefused() {
        Cli.Result unknown = new Cli(home).run("keys", "create", "--owner", "ci", "--role", "nosuchrole");
        assertThat(unknown.exit()).as(unknown.all()).isEqualTo(2);
        assertThat(unknown.err()).contains("no role is named 'nosuchrole'").contains("code roles list");

        // the examples of 'code users add --help', in order
        assertThat(new Cli(home).run("roles", "define", "deployer", "--grant", "deploy:*:dev").exit()).isZero();
        Cli.Result added = new Cli(home).stdin("correct horse battery staple\n").run("users", "add", "ci", "--role",
                "deployer", "--no-totp", "--password-stdin");
        assertThat(added.exit()).as(added.all()).isZero();
        assertThat(new Cli(home).run("roles", "define", "lead", "--grant", "deploy:*:prod", "--inherit", "deployer")
                .exit()).isZero();

        Cli.Result listed = new Cli(home).run("roles", "list", "--json");
        assertThat(listed.json().path("roles").valueStream().map(r -> r.path("name").asString())).containsExactly(
                "admin", "deployer", "lead");
        assertThat(listed.json().path("roles").get(2).path("inherits").get(0).asString()).isEqualTo("deployer");
        assertThat(new Cli(home).run("roles", "list").out()).contains("deployer").contains("deploy:*:dev");

        Cli.Result badGrant = new Cli(home).run("roles", "define", "x", "--grant", "Deploy");
        assertThat(badGrant.exit()).isEqualTo(2);
        assertThat(badGrant.err()).contains("--grant permission must be domain:action[:instance]");
        Cli.Result inherited = new Cli(home).run("roles", "delete", "deployer");
        assertThat(inherited.exit()).isEqualTo(2);
        assertThat(inherited.err()).contains("inherited by [lead]");
        assertThat(new Cli(home).run("roles", "delete", "lead").exit()).isZero();
        assertThat(new Cli(home).run("roles", "list", "--json").json().path("roles").size()).isEqualTo(2);
    }

    @Test
    void home_isCodeHome_elseHomeDotCode_createdForItsOwnerOnly_withTheStoreReadableByItsOwnerOnly(
            @TempDir Path user) throws Exception {
        Cli.Result r = new Cli(null).env("HOME", user.toString()).run("keys", "create", "--owner", "a", "--role",
                "admin");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(user.resolve(".code")))).isEqualTo(
                "rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(user.resolve(".code/code-db.mv.db"))))
                .isEqualTo("rw-------");

        Path chosen = user.resolve("chosen");
        assertThat(new Cli(null).env("HOME", user.toString()).env("CODE_HOME", chosen.toString()).run("keys",
                "create", "--owner", "a", "--role", "admin").exit()).isZero();
        assertThat(chosen.resolve("keys/audit-ed25519")).exists();
        assertThat(chosen.resolve("code-db.mv.db")).exists();
    }

    @Test
    void auditVerify_changesNothing_andSignsACheckpointOnlyWhenAsked() {
        new Cli(home).run("keys", "create", "--owner", "a", "--role", "admin");
        // entries after the last signed checkpoint: a host without the home's audit key wrote them
        try (CodeEngine host = CodeEngine.builder().store(StoreConfig.h2File(home.resolve("code-db"))).unsignedAudit()
                .build()) {
            host.security().createApiKey("b", Set.of("admin"), null);
        }
        JsonNode first = new Cli(home).run("audit", "verify", "--json").json();
        JsonNode second = new Cli(home).run("audit", "verify", "--json").json();
        assertThat(second).as("verifying twice").isEqualTo(first);
        assertThat(first.path("intact").asBoolean()).isTrue();

        JsonNode checkpointed = new Cli(home).run("audit", "verify", "--checkpoint", "--json").json();
        assertThat(checkpointed.path("entries")).isEqualTo(first.path("entries"));
        assertThat(checkpointed.path("checkpoints").asInt()).isEqualTo(first.path("checkpoints").asInt() + 1);
        assertThat(checkpointed.path("intact").asBoolean()).isTrue();
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
