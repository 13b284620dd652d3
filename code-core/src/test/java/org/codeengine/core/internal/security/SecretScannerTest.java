package org.codeengine.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.security.SecretFinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The secret scanner: each provider's key shape is found, examples and low-entropy strings are not. */
class SecretScannerTest {
    static final SecureRandom RANDOM = new SecureRandom();
    static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    final RegexSecretScanner scanner = new RegexSecretScanner();

    static String random(String alphabet, int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** Made-up keys of each provider's shape, made fresh each run. */
    static Map<String, String> samples() {
        String hex = "0123456789abcdef";
        String urlsafe = ALNUM + "_-";
        return Map.ofEntries(Map.entry("openai-api-key", "sk-proj-" + random(urlsafe, 20) + "T3BlbkFJ" + random(
                urlsafe, 20)), Map.entry("anthropic-api-key", "sk-ant-api03-" + random(urlsafe, 93) + "AA"), Map.entry(
                        "openrouter-api-key", "sk-or-v1-" + random(hex, 64)),
                Map.entry("deepseek-api-key", "sk-"
                        + random(hex, 32)),
                Map.entry("google-api-key", "AIza" + random(urlsafe, 35)), Map
                        .entry("tavily-api-key", "tvly-dev-" + random(ALNUM, 32)),
                Map.entry(
                        "brave-search-api-key", "BSA" + random(urlsafe, 27)),
                Map.entry(
                        "aws-access-key-id", "AKIA" + random(
                                "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)),
                Map.entry(
                        "github-token", "ghp_" + random(ALNUM, 36)),
                Map
                        .entry("gitlab-token", "glpat-"
                                + random(urlsafe, 20)),
                Map
                        .entry("slack-token",
                                "xoxb-" + random("0123456789", 12) + "-" + random("0123456789", 13) + "-" + random(
                                        ALNUM, 24)));
    }

    @Test
    void findsEachProvidersKey_withItsLineAndColumn_andNeverTheKeyItself() {
        samples().forEach((rule, key) -> {
            List<SecretFinding> found = scanner.scan("config:\n  key = \"" + key + "\"\n", "app.yaml");
            assertThat(found).as(rule).extracting(SecretFinding::ruleId).contains(rule);
            SecretFinding finding = found.stream().filter(f -> f.ruleId().equals(rule)).findFirst().orElseThrow();
            assertThat(finding.line()).isEqualTo(2);
            assertThat(finding.column()).isEqualTo(10);
            assertThat(finding.toString()).doesNotContain(key.substring(4));
        });
    }

    /** A key may end in a character that is not a word character, where {@code \\b} finds no boundary. */
    @Test
    void findsKeysThatEndInADashOrUnderscore() {
        for (String key : List.of("glpat-Ab3dE5gH7jK9mN1pQ2r-", "glpat-Ab3dE5gH7jK9mN1pQ2r_",
                "BSA" + "Ab3dE5gH7jK9mN1pQ2rS4tU6vW-")) {
            assertThat(scanner.scan("token: " + key + "\n", "ci.yml")).as(key).hasSize(1);
        }
    }

    @Test
    void findsTavilyKeysWithAndWithoutTheirTier_jwts_privateKeys_andCloudKeys() {
        for (String tier : List.of("", "dev-", "prod-")) {
            assertThat(scanner.scan("TAVILY_API_KEY=tvly-" + tier + random(ALNUM, 32), "")).extracting(
                    SecretFinding::ruleId).containsExactly("tavily-api-key");
        }
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String jwt = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(
                java.nio.charset.StandardCharsets.UTF_8)) + "." + b64.encodeToString(
                        ("{\"sub\":\"" + random(ALNUM, 20)
                                + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "." + random(ALNUM, 43);
        assertThat(scanner.scan("Authorization: Bearer " + jwt, "")).extracting(SecretFinding::ruleId)
                .containsExactly("jwt");
        assertThat(scanner.scan("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...\n", "")).as(
                "a header without a key's body").isEmpty();
        assertThat(scanner.scan("aws_secret_access_key = " + random(ALNUM + "/+", 40), "")).extracting(
                SecretFinding::ruleId).containsExactly("aws-secret-access-key");
        assertThat(scanner.scan("{\"type\": \"service_account\", \"private_key_id\": \"" + random("0123456789abcdef",
                40) + "\"}", "")).extracting(SecretFinding::ruleId).containsExactly("gcp-service-account-key");
    }

    @Test
    void leavesExamples_placeholders_andLowEntropyStringsAlone() {
        assertThat(scanner.scan("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "")).isEmpty();
        assertThat(scanner.scan("OPENAI_API_KEY=sk-" + "a".repeat(32), "")).isEmpty();
        assertThat(scanner.scan("key: tvly-your-api-key-goes-here-xxxxxxxxx", "")).isEmpty();
        assertThat(scanner.scan("just prose about sk- prefixes and BSA accounts", "")).isEmpty();
    }

    @Test
    void redact_replacesEverySecret() {
        Map<String, String> samples = samples();
        String text = "a=" + samples.get("github-token") + " b=" + samples.get("tavily-api-key") + " end";
        assertThat(scanner.redact(text)).isEqualTo("a=[REDACTED:github-token] b=[REDACTED:tavily-api-key] end");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS) // a backtracking engine would not finish: this guards against a hang
    void hostileInput_isScannedInLinearTime() {
        String hostile = ("sk-ant-api03-" + "a".repeat(5000) + "!").repeat(200) + ("aws secret " + " ".repeat(5000))
                .repeat(20);
        assertThat(scanner.scan(hostile, "")).isEmpty();
    }
}
