package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code code secrets scan --config}: a team's .gitleaks.toml, its .gitleaksignore fingerprints, inline allows. */
class SecretsScanConfigTest {
    private static final String ACME = "acme_" + "q7w2e9r4t1y8u3i6o5p0a2s7d4f9g1h3";

    @TempDir
    Path home;

    @TempDir
    Path work;

    @Test
    void aTeamsGitleaksConfig_findsItsOwnTokens_andTheDefaults_lessFingerprintsAndInlineAllows() throws IOException {
        Path config = work.resolve(".gitleaks.toml");
        Files.writeString(config, """
                [extend]
                useDefault = true

                [[rules]]
                id = "acme-internal-token"
                regex = '''\\b(acme_[a-z0-9]{32})\\b'''
                keywords = ["acme_"]
                """);
        Files.createDirectories(work.resolve("src"));
        Files.writeString(work.resolve("src/a.env"), "ACME=" + ACME + "\nGITHUB=" + SecurityCommandsTest.TOKEN
                + "\n");
        Files.writeString(work.resolve("src/b.env"), "ACME=" + ACME + "\n");
        Files.writeString(work.resolve("src/c.env"), "ACME=" + ACME + "  # gitleaks:allow\n");

        Cli.Result all = new Cli(home).run("secrets", "scan", work.toString(), "--config", config.toString());
        assertThat(all.exit()).as(all.all()).isEqualTo(1);
        assertThat(all.out()).contains(work.resolve("src/a.env") + ":1:6  acme-internal-token").contains(work
                .resolve("src/a.env") + ":2:8  github-token").contains(work.resolve("src/b.env") + ":1:6")
                .doesNotContain(
                        "c.env")
                .contains("3 secrets found").doesNotContain(ACME);

        Files.writeString(work.resolve(".gitleaksignore"), """
                # reviewed: test fixtures
                src/b.env:acme-internal-token:1
                0123abcd0123abcd0123abcd0123abcd0123abcd:src/a.env:github-token:2
                """);
        Cli.Result ignored = new Cli(home).run("secrets", "scan", work.toString(), "--config", config.toString(),
                "--json");
        assertThat(ignored.exit()).as(ignored.all()).isEqualTo(1);
        assertThat(ignored.json().path("findings").size()).isEqualTo(1);
        assertThat(ignored.json().path("findings").get(0).path("rule").asString()).isEqualTo("acme-internal-token");
        assertThat(ignored.json().path("ignored").asInt()).isEqualTo(2);
    }

    @Test
    void anInvalidConfig_isRefused_withTheRuleNamed_andExitsTwo() throws IOException {
        Path config = work.resolve("bad.toml");
        Files.writeString(config, """
                [[rules]]
                id = "broken-rule"
                regex = '''(unclosed'''
                """);

        Cli.Result r = new Cli(home).run("secrets", "scan", work.toString(), "--config", config.toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("rule broken-rule: regex");
    }
}
