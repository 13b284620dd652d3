package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code code secrets scan --git}: a secret a commit added is found, with its commit and author, though later removed. */
class SecretsScanGitTest {
    @TempDir
    Path home;

    @TempDir
    Path repo;

    @Test
    void aSecretAddedInHistory_andRemovedSince_isFound_withItsCommitAuthorAndLine() throws Exception {
        git("init", "-q");
        Files.writeString(repo.resolve("deploy.env"), "REGION=eu\nGITHUB_TOKEN=" + SecurityCommandsTest.TOKEN + "\n");
        Files.writeString(repo.resolve("README.md"), "hello\n");
        git("add", ".");
        git("commit", "-q", "-m", "deploy settings");
        String leaked = git("rev-parse", "HEAD").strip();
        Files.writeString(repo.resolve("deploy.env"), "REGION=eu\nGITHUB_TOKEN=${GITHUB_TOKEN}\n");
        git("commit", "-q", "-am", "take the token out");

        Cli.Result r = new Cli(home).run("secrets", "scan", repo.toString(), "--json", "--git");

        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.json().path("commits").asInt()).isEqualTo(2);
        assertThat(r.json().path("findings").size()).isEqualTo(1);
        JsonNode f = r.json().path("findings").get(0);
        assertThat(f.path("rule").asString()).isEqualTo("github-token");
        assertThat(f.path("file").asString()).isEqualTo("deploy.env");
        assertThat(f.path("line").asInt()).isEqualTo(2);
        assertThat(f.path("column").asInt()).isEqualTo(14);
        assertThat(f.path("commit").asString()).isEqualTo(leaked);
        assertThat(f.path("author").asString()).isEqualTo("Dev One <dev@example.org>");
        assertThat(r.all()).doesNotContain(SecurityCommandsTest.TOKEN);

        Cli.Result lastOnly = new Cli(home).run("secrets", "scan", repo.toString(), "--git", "HEAD~1..HEAD");
        assertThat(lastOnly.exit()).as(lastOnly.all()).isZero();
        assertThat(lastOnly.out()).contains("1 commits scanned, 0 secrets found");
    }

    private String git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git", "-C", repo.toString(), "-c", "user.name=Dev One", "-c",
                "user.email=dev@example.org", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
