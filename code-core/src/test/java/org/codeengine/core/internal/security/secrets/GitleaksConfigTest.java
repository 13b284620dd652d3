package org.codeengine.core.internal.security.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.codeengine.api.security.SecretFinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A team's gitleaks configuration: its rules, allowlists and [extend] applied; bad ones refused naming the rule. */
class GitleaksConfigTest {
    static final String ACME = "acme_" + "q7w2e9r4t1y8u3i6o5p0a2s7d4f9g1h3";
    static final String AWS = "AKIA" + "QW4ER5TY6UI7ZQXR";

    @TempDir
    Path dir;

    static final String CONFIG = """
            title = "team rules"

            [extend]
            useDefault = true
            disabledRules = ["mailgun-api-key"]

            [[rules]]
            id = "acme-internal-token"
            description = "ACME service tokens"
            regex = '''\\b(acme_[a-z0-9]{32})\\b'''
            secretGroup = 1
            entropy = 3.0
            keywords = [
                "acme_",   # the prefix
            ]
            path = '''\\.(env|ya?ml)$'''
            tags = ["internal"]
            [[rules.allowlists]]
            regexes = ['''^acme_test''']
            stopwords = ["sandbox"]

            [[rules]]
            id = "acme-password"
            regex = "(?i)acme_password\\\\s*=\\\\s*\\"([^\\"]{8,})\\""
            keywords = ["acme_password"]
              [rules.allowlist]
              regexTarget = "line"
              regexes = ['''# fixture''']

            [allowlist]
            description = "global"
            paths = ['''(^|/)testdata/''']
            regexes = ['''EXAMPLE''']
            """;

    ScanEngine load(String toml) throws IOException {
        Path file = dir.resolve(".gitleaks.toml");
        Files.writeString(file, toml);
        return GitleaksConfig.load(file);
    }

    static List<String> rules(List<SecretFinding> found) {
        return found.stream().map(SecretFinding::ruleId).toList();
    }

    @Test
    void aTeamsConfig_withCustomRules_allowlists_andUseDefault_isLoadedAndApplied() throws IOException {
        ScanEngine engine = load(CONFIG);

        assertThat(engine.rules().getFirst().id()).isEqualTo("acme-internal-token");
        List<SecretFinding> found = engine.scan("SERVICE=" + ACME + "\nAWS=" + AWS + "\n", "deploy/app.env");
        assertThat(rules(found)).containsExactly("acme-internal-token", "aws-access-key-id");
        assertThat(found.getFirst().column()).isEqualTo(9);
        assertThat(found.getFirst().redacted()).isEqualTo("acme…(37 chars)");

        assertThat(rules(engine.scan("t = \"" + ACME + "\"", "src/App.java"))).as("the rule's path").isEmpty();
        assertThat(engine.scan("SERVICE=acme_test" + "q7w2e9r4t1y8u3i6o5p0a2s7d4f9", "app.env")).as("rule regexes")
                .isEmpty();
        assertThat(engine.scan("SERVICE=acme_" + "sandbox4t1y8u3i6o5p0a2s7d4f9g1", "app.env")).as("stopwords")
                .isEmpty();
        assertThat(engine.scan("SERVICE=" + ACME, "testdata/app.env")).as("global paths").isEmpty();
        assertThat(engine.scan("AWS=AKIA" + "QW4ER5TY6EXAMPLE", "app.env")).as("global regexes").isEmpty();
        assertThat(engine.scan("MAILGUN=key-" + "3f9a1c7e5b2d8f4a6c0e9b1d7a3f5c8e", "app.env")).as("disabledRules")
                .isEmpty();
        assertThat(engine.scan("SERVICE=" + ACME + " # gitleaks:allow", "app.env")).as("inline allow").isEmpty();

        String password = "acme_password = \"Zq8Lm2Xv7Rt4\"";
        assertThat(rules(engine.scan(password, "app.env"))).containsExactly("acme-password");
        assertThat(engine.scan(password + " # fixture", "app.env")).as("a line-target allowlist").isEmpty();
    }

    @Test
    void withoutUseDefault_onlyTheTeamsRulesRun() throws IOException {
        ScanEngine engine = load(CONFIG.replace("useDefault = true", "useDefault = false"));

        assertThat(rules(engine.scan("SERVICE=" + ACME + "\nAWS=" + AWS + "\n", "app.env"))).containsExactly(
                "acme-internal-token");
    }

    @Test
    void anInvalidRegex_isRefused_namingTheRule() {
        assertThatThrownBy(() -> load("""
                [[rules]]
                id = "broken-rule"
                regex = '''(acme_[a-z]{32}'''
                """)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule broken-rule: regex")
                .hasMessageContaining("does not compile");
        assertThatThrownBy(() -> load("""
                [[rules]]
                id = "lookbehind"
                regex = '''(?<=key=)[a-z]{32}'''
                """)).hasMessageContaining("rule lookbehind: regex");
    }

    @Test
    void anUnknownKey_isRefused_namingTheRuleAndTheKey() {
        assertThatThrownBy(() -> load("""
                [[rules]]
                id = "typo"
                regex = "acme_[a-z]{32}"
                secretGroupp = 1
                """)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(
                "rule typo: unknown key 'secretGroupp'");
        assertThatThrownBy(() -> load("""
                [[rules]]
                id = "typo"
                regex = "acme_[a-z]{32}"
                [rules.allowlist]
                regex = ["x"]
                """)).hasMessageContaining("rule typo: allowlist: unknown key 'regex'");
        assertThatThrownBy(() -> load("""
                [[rules]]
                id = "grouped"
                regex = "acme_([a-z]{32})"
                secretGroup = 2
                """)).hasMessageContaining("rule grouped: secretGroup 2 is not a group");
        assertThatThrownBy(() -> load("[extend]\nuseDefaults = true\n")).hasMessageContaining(
                "[extend]: unknown key 'useDefaults'");
    }

    @Test
    void toml_readsStringsOfEachKind_arraysOverLines_andNestedTables_andRefusesBadInputWithItsLine() {
        Map<String, Object> t = Toml.parse("""
                a = "tab\\there \\u00e9 \\"q\\""
                b = 'C:\\path\\no\\escapes'
                c = \"\"\"
                one
                two\"\"\"
                d = '''
                raw \\d+'''
                n = [1, 2.5, true, ["x", 'y'],]  # trailing comma
                [x.y]
                z = { k = "v", m = 3 }
                [[r]]
                id = "1"
                [[r.s]]
                q = 1
                [[r]]
                id = "2"
                """);
        assertThat(t.get("a")).isEqualTo("tab\there é \"q\"");
        assertThat(t.get("b")).isEqualTo("C:\\path\\no\\escapes");
        assertThat(t.get("c")).isEqualTo("one\ntwo");
        assertThat(t.get("d")).isEqualTo("raw \\d+");
        assertThat(t.get("n")).isEqualTo(List.of(1L, 2.5, true, List.of("x", "y")));
        assertThat(t.get("x")).isEqualTo(Map.of("y", Map.of("z", Map.of("k", "v", "m", 3L))));
        assertThat(t.get("r")).isEqualTo(List.of(Map.of("id", "1", "s", List.of(Map.of("q", 1L))), Map.of("id",
                "2")));

        assertThatThrownBy(() -> Toml.parse("a = 1\nb = \"open\n")).hasMessageStartingWith("line 2:");
        assertThatThrownBy(() -> Toml.parse("a = 1\na = 2\n")).hasMessageContaining("'a' is defined twice");
        assertThatThrownBy(() -> Toml.parse("regex = \"\\d+\"\n")).hasMessageContaining("unknown escape \\d");
    }
}
