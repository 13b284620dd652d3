package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.codeengine.api.security.ThreatRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code threats} map of {@code config.yaml}: rules that differ from the defaults, and errors naming the field. */
class ThreatsConfigTest {
    @TempDir
    Path home;

    @Test
    void threats_replaceTheDefaultsOfTheirIds() throws IOException {
        Path file = home.resolve("config.yaml");
        Files.writeString(file, """
                threats:
                  login-burst-account: {threshold: 5, window: 10m, responses: [lock-account, revoke-sessions], for: 1h}
                """);
        assertThat(Config.read(file).threats()).singleElement().satisfies(rule -> {
            assertThat(rule.id()).isEqualTo(ThreatRule.LOGIN_BURST_ACCOUNT);
            assertThat(rule.threshold()).isEqualTo(5);
            assertThat(rule.window()).isEqualTo(Duration.ofMinutes(10));
            assertThat(rule.responses()).isEqualTo(Set.of(ThreatRule.Response.LOCK_ACCOUNT,
                    ThreatRule.Response.REVOKE_SESSIONS));
            assertThat(rule.responseFor()).isEqualTo(Duration.ofHours(1));
            assertThat(rule.severity()).as("kept from the default").isEqualTo(ThreatRule.Severity.HIGH);
        });
        assertThat(Config.read(home.resolve("absent.yaml")).threats()).isEmpty();
    }

    @Test
    void aWrongThreatRule_stopsTheApp_namingTheField() throws IOException {
        Path file = home.resolve("config.yaml");
        Files.writeString(file, "threats:\n  totp-replay: {window: soon}\n");
        assertThatThrownBy(() -> Config.read(file)).isInstanceOf(CliException.class).hasMessageContaining(
                "threats.totp-replay.window must be a duration");
        Cli.Result r = new Cli(home).run("plugins");
        assertThat(r.exit()).isNotZero();
        assertThat(r.err()).contains("threats.totp-replay.window must be a duration");
    }
}
