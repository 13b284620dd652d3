package org.codeengine.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.security.ThreatRule;
import org.codeengine.core.ThreatRules;
import org.junit.jupiter.api.Test;

/** Threat rules read from configuration, and the bounded sliding windows that count their signals. */
class ThreatRulesTest {
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void aConfiguredRule_changesOnlyTheFieldsItGives() {
        List<ThreatRule> rules = ThreatRules.parse("""
                login-burst-account: {threshold: 5, window: 10m, severity: critical, responses: [lock-account,
                  revoke-sessions], for: 1h}
                rate-limit-flood: {responses: []}
                """, "config.yaml");
        ThreatRule account = rules.getFirst();
        assertThat(account).isEqualTo(new ThreatRule(ThreatRule.LOGIN_BURST_ACCOUNT, 5, Duration.ofMinutes(10),
                ThreatRule.Severity.CRITICAL, Set.of(ThreatRule.Response.LOCK_ACCOUNT,
                        ThreatRule.Response.REVOKE_SESSIONS),
                Duration.ofHours(1)));
        ThreatRule flood = rules.get(1);
        ThreatRule floodDefault = ThreatRule.defaults().stream().filter(r -> r.id().equals(
                ThreatRule.RATE_LIMIT_FLOOD)).findFirst().orElseThrow();
        assertThat(flood).isEqualTo(floodDefault.withResponses(Set.of(), floodDefault.responseFor()));
    }

    @Test
    void aBadRule_isRefused_namingTheFieldAndTheRule() {
        assertThatThrownBy(() -> ThreatRules.parse("login-burst: {threshold: 5}", "config.yaml")).isInstanceOf(
                InvalidRequestException.class).hasMessageContaining("threats.login-burst is not a threat rule");
        assertThatThrownBy(() -> ThreatRules.parse("totp-replay: {threshold: five}", "config.yaml"))
                .hasMessageContaining("threats.totp-replay.threshold must be a whole number");
        assertThatThrownBy(() -> ThreatRules.parse("totp-replay: {threshold: 0}", "config.yaml"))
                .hasMessageContaining("threats.totp-replay: threshold of rule totp-replay must be 1 to 1000");
        assertThatThrownBy(() -> ThreatRules.parse("totp-replay: {window: soon}", "config.yaml"))
                .hasMessageContaining("threats.totp-replay.window must be a duration");
        assertThatThrownBy(() -> ThreatRules.parse("totp-replay: {responses: [ban]}", "config.yaml"))
                .hasMessageContaining("threats.totp-replay.responses[0] must be one of [lock-account, block-source,"
                        + " revoke-sessions]");
        assertThatThrownBy(() -> ThreatRules.parse("totp-replay: {severity: dire}", "config.yaml"))
                .hasMessageContaining("threats.totp-replay.severity must be one of [low, medium, high, critical]");
        assertThatThrownBy(() -> ThreatRules.parse("totp-replay: {limit: 3}", "config.yaml")).hasMessageContaining(
                "threats.totp-replay has an unknown field 'limit'");
    }

    @Test
    void windows_countOnlyWithinTheirLength_andKeepNoMoreThanTheThreshold() {
        ThreatDetector.Windows windows = new ThreatDetector.Windows(100);
        Duration minute = Duration.ofMinutes(1);
        assertThat(windows.add("a", T0, minute, 3)).isEqualTo(1);
        assertThat(windows.add("a", T0.plusSeconds(30), minute, 3)).isEqualTo(2);
        assertThat(windows.add("a", T0.plusSeconds(61), minute, 3)).as("the first left the window").isEqualTo(2);
        assertThat(windows.add("a", T0.plusSeconds(62), minute, 3)).isEqualTo(3);
        assertThat(windows.add("a", T0.plusSeconds(63), minute, 3)).as("capped at the threshold").isEqualTo(3);
    }

    @Test
    void windows_areCappedInSubjects_andDropThoseWhoseSignalsExpired() {
        ThreatDetector.Windows windows = new ThreatDetector.Windows(50);
        Duration minute = Duration.ofMinutes(1);
        for (int i = 0; i < 10_000; i++) {
            windows.add("source:" + i, T0.plusMillis(i), minute, 5);
        }
        assertThat(windows.size()).isEqualTo(50);
        assertThat(windows.add("source:9999", T0.plusMillis(10_000), minute, 5)).as("a recent subject stays")
                .isEqualTo(2);
        for (int i = 0; i < 10; i++) {
            windows.add("late:" + i, T0.plus(Duration.ofMinutes(10)), minute, 5);
        }
        assertThat(windows.size()).as("expired subjects went first").isLessThan(50);
    }
}
