package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code code events tail}: the outbox as text and CloudEvents JSON, filtered by type, and followed live. */
class EventsCommandTest {
    static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path home;

    @Test
    void tail_showsTheEventsOfWhatHappened_asCloudEventsJson_filteredByType_withoutSecrets() {
        Cli cli = new Cli(home);
        assertThat(new Cli(home).run("roles", "define", "viewer", "--grant", "deploy:read:*").exit()).isZero();
        Cli.Result added = cli.stdin("Pass-word-9876-xyz\n").run("users", "add", "alice", "--role", "viewer",
                "--no-totp", "--password-stdin");
        assertThat(added.exit()).as(added.err()).isZero();
        Cli.Result denied = new Cli(home).env("CODE_API_KEY", "code_bogus-key-4242").run("status");
        assertThat(denied.exit()).isNotZero();
        assertThat(cli.run("audit", "verify").exit()).isZero();

        Cli.Result r = cli.run("events", "tail", "-n", "100", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> events = r.out().lines().map(JSON::readTree).toList();
        assertThat(events).isNotEmpty().allSatisfy(e -> {
            assertThat(e.get("specversion").asString()).isEqualTo("1.0");
            assertThat(e.get("type").asString()).startsWith("org.codeengine.");
        });
        assertThat(events).extracting(e -> e.get("type").asString()).contains("org.codeengine.audit.checkpoint",
                "org.codeengine.security.login_failed");
        assertThat(r.out()).doesNotContain("Pass-word-9876-xyz").doesNotContain("bogus-key-4242");

        Cli.Result security = cli.run("events", "tail", "--type", "*.security.*");
        assertThat(security.out()).contains("security.login_failed").doesNotContain("audit.checkpoint");
        Cli.Result none = cli.run("events", "tail", "--type", "org.codeengine.deployment.*");
        assertThat(none.out()).contains("no events of type org.codeengine.deployment.*");
        Cli.Result bad = cli.run("events", "tail", "--type", "a b");
        assertThat(bad.exit()).isNotZero();
        assertThat(bad.err()).contains("--type").contains("typePattern");
    }

    @Test
    void tail_follow_showsEventsWrittenAfterItStarted_eachOnce() throws Exception {
        assertThat(new Cli(home).run("audit", "verify").exit()).isZero();
        CompletableFuture<Cli.Result> following = CompletableFuture.supplyAsync(() -> new Cli(home).run("events",
                "tail", "-n", "0", "--follow", "--type", "*.security.*", "--timeout", "8s", "--json"));
        // failed logins go on while it follows: it shows those written after it started, each once
        while (!following.isDone()) {
            assertThat(new Cli(home).env("CODE_API_KEY", "code_bogus-key-4242").run("status").exit()).isNotZero();
        }
        Cli.Result r = following.get();
        assertThat(r.exit()).as(r.err()).isZero();
        List<JsonNode> seen = r.out().lines().map(JSON::readTree).toList();
        assertThat(seen).extracting(e -> e.get("type").asString()).contains("org.codeengine.security.login_failed")
                .allMatch(type -> type.startsWith("org.codeengine.security."));
        assertThat(seen).extracting(e -> e.get("id").asString()).doesNotHaveDuplicates();
    }
}
