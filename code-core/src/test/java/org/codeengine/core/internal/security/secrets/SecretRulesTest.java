package org.codeengine.core.internal.security.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.codeengine.api.security.SecretFinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every rule, table-driven from {@code secret-samples.json}: five real-shaped secrets made from the provider's format
 * are found in the five places people leave them (YAML, JSON, .env, shell, source code), and placeholders of the same
 * shape (one character repeated, a run of consecutive ones, an example word, plus the rule's own: documentation
 * examples, template variables) are not flagged by any rule.
 */
class SecretRulesTest {
    static final Map<String, String> CLASSES = Map.ofEntries(Map.entry("an",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            Map.entry("AN",
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            Map.entry("al", "abcdefghijklmnopqrstuvwxyz0123456789"),
            Map.entry("alpha", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), Map.entry("hex",
                    "0123456789abcdef"),
            Map.entry("num", "0123456789"), Map.entry("b32",
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
            Map.entry("b64",
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"),
            Map.entry(
                    "url", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"),
            Map.entry("age", "023456789ACDEFGHJKLMNPQRSTUVWXYZ"));
    static final Pattern SLOT = Pattern.compile("\\{(\\w+):(\\w+)\\}");

    /** Where people leave a secret: a YAML map, a JSON object, a .env line, a shell export, a source constant. */
    static final List<BiFunction<String, String, String>> CONTEXTS = List.of(
            (k, v) -> "service:\n  name: billing\n  " + k.toLowerCase(java.util.Locale.ROOT) + ": " + (v.contains("\n")
                    ? "|\n    " + v.replace("\n", "\n    ")
                    : v) + "\n",
            (k, v) -> "{\n  \"region\": \"eu-west-1\",\n  \"" + k + "\": \"" + v.replace("\n", "\\n") + "\"\n}\n",
            (k, v) -> "# deploy settings\nREGION=eu\n" + k + "=" + (v.contains("\n") ? "\"" + v + "\"" : v) + "\n",
            (k, v) -> "#!/bin/sh\nset -eu\nexport " + k + "=\"" + v + "\"\n./deploy.sh\n",
            (k, v) -> "class Settings {\n    static final String " + k + " = \"" + v.replace("\n", "\\n")
                    + "\";\n}\n");

    record Sample(String rule, List<String> make, String key, List<String> placeholders) {}

    final ScanEngine engine = DefaultRules.engine();

    static List<Sample> samples() throws IOException {
        try (InputStream in = SecretRulesTest.class.getResourceAsStream("secret-samples.json")) {
            JsonNode root = JsonMapper.builder().build().readTree(in);
            List<Sample> out = new ArrayList<>();
            for (JsonNode s : root.get("samples")) {
                List<String> make = new ArrayList<>();
                s.get("make").forEach(m -> make.add(m.asString()));
                List<String> placeholders = new ArrayList<>();
                s.path("placeholders").forEach(p -> placeholders.add(p.asString()));
                String rule = s.get("rule").asString();
                out.add(new Sample(rule, make, s.path("key").asString(rule.toUpperCase(java.util.Locale.ROOT)
                        .replace('-', '_')), placeholders));
            }
            return out;
        }
    }

    @Test
    void everyRule_hasSamples() throws IOException {
        assertThat(samples()).extracting(Sample::rule).containsExactlyInAnyOrderElementsOf(engine.rules().stream()
                .map(Rule::id).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void eachRule_findsRealShapedSecrets_inYamlJsonEnvShellAndSource(Sample sample) throws Exception {
        Random random = new Random(sample.rule().hashCode());
        for (int i = 0; i < CONTEXTS.size(); i++) {
            String secret = make(sample.make().get(i % sample.make().size()), random);
            String text = CONTEXTS.get(i).apply(sample.key(), secret);

            List<SecretFinding> found = engine.scan(text, "sample");

            assertThat(found).as("%s in context %d:%n%s", sample.rule(), i, text).extracting(SecretFinding::ruleId)
                    .contains(sample.rule());
            assertThat(found.toString()).doesNotContain(secret.substring(Math.min(secret.length() - 1, 12)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void eachRule_leavesPlaceholdersOfItsShapeAlone(Sample sample) {
        List<String> placeholders = new ArrayList<>(sample.placeholders());
        String template = sample.make().getFirst();
        if (!template.startsWith("{pem:") && !template.startsWith("{jwt:")) {
            placeholders.add(fill(template, (cls, n) -> repeat(switch (cls) {
                case "hex", "num" -> "0";
                case "b32", "b64", "age", "AN" -> "X";
                default -> "x";
            }, n)));
            placeholders.add(fill(template, (cls, n) -> repeat(CLASSES.get(cls), n)));
            placeholders.add(fill(template, (cls, n) -> repeat(switch (cls) {
                case "hex" -> "abc123";
                case "num" -> "9876543210";
                case "AN", "b32", "age" -> "EXAMPLE";
                default -> "example";
            }, n)));
        }
        assertThat(placeholders).hasSizeGreaterThanOrEqualTo(3);
        for (String placeholder : placeholders) {
            for (int i = 0; i < CONTEXTS.size(); i++) {
                String text = CONTEXTS.get(i).apply(sample.key(), placeholder);
                assertThat(engine.scan(text, "sample")).as("%s placeholder in context %d:%n%s", sample.rule(), i,
                        text).isEmpty();
            }
        }
    }

    private static String repeat(String unit, int n) {
        return unit.repeat(n / unit.length() + 1).substring(0, n);
    }

    private static String fill(String template, BiFunction<String, Integer, String> slot) {
        Matcher m = SLOT.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(slot.apply(m.group(1), Integer.parseInt(m.group(2)))));
        }
        return m.appendTail(out).toString();
    }

    static String make(String template, Random random) throws GeneralSecurityException {
        if (template.startsWith("{pem:")) {
            return pem(template.substring(5, template.length() - 1), random);
        }
        if (template.startsWith("{jwt:")) {
            return jwt(template.substring(5, template.length() - 1), random);
        }
        return fill(template, (cls, n) -> {
            String alphabet = CLASSES.get(cls);
            while (true) {
                StringBuilder s = new StringBuilder(n);
                for (int i = 0; i < n; i++) {
                    s.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                if (!Placeholders.isPlaceholder(s.toString())) { // one random string in ~10^4 reads as one
                    return s.toString();
                }
            }
        });
    }

    private static String pem(String kind, Random random) throws GeneralSecurityException {
        byte[] body;
        String label;
        switch (kind) {
            case "rsa", "pkcs8" -> {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(1024);
                body = g.generateKeyPair().getPrivate().getEncoded();
                label = kind.equals("rsa") ? "RSA PRIVATE KEY" : "PRIVATE KEY";
            }
            case "ec" -> {
                body = KeyPairGenerator.getInstance("EC").generateKeyPair().getPrivate().getEncoded();
                label = "EC PRIVATE KEY";
            }
            case "openssh" -> {
                byte[] rest = new byte[400];
                random.nextBytes(rest);
                byte[] magic = "openssh-key-v1\0".getBytes(StandardCharsets.ISO_8859_1);
                body = new byte[magic.length + rest.length];
                System.arraycopy(magic, 0, body, 0, magic.length);
                System.arraycopy(rest, 0, body, magic.length, rest.length);
                label = "OPENSSH PRIVATE KEY";
            }
            case "encrypted" -> {
                body = new byte[608];
                random.nextBytes(body);
                return "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
                        + "3F17F5316E2BAC89B4A3C1B4F2C4D9E1\n\n" + Base64.getMimeEncoder(64, "\n".getBytes(
                                StandardCharsets.US_ASCII)).encodeToString(body)
                        + "\n-----END RSA PRIVATE KEY-----";
            }
            default -> throw new IllegalArgumentException(kind);
        }
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(body) + "\n-----END " + label + "-----";
    }

    private static String jwt(String alg, Random random) throws GeneralSecurityException {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString(("{\"alg\":\"" + (alg.equals("none")
                ? "none"
                : alg.toUpperCase(
                        java.util.Locale.ROOT))
                + "\",\"typ\":\"JWT\"}").getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"sub\":\"" + make("{al:12}", random) + "\",\"role\":\"admin\","
                + "\"iat\":" + (1_700_000_000 + random.nextInt(10_000_000)) + "}").getBytes(StandardCharsets.UTF_8));
        byte[] signature = new byte[alg.equals("rs256") ? 256 : 32];
        random.nextBytes(signature);
        return header + "." + payload + "." + (alg.equals("none") ? "" : b64.encodeToString(signature));
    }
}
