package org.codeengine.core.internal.security;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.codeengine.api.security.SecretFinding;
import org.codeengine.api.security.SecretScanner;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The secret scanner over RE2/J (linear time, no backtracking), with its rules read from {@code secret-rules.json}:
 * an id, a regex whose group 1 (or whole match) is the secret, keywords that must appear before the regex runs, an
 * optional least entropy, and values that are allowed (examples, placeholders).
 */
public final class RegexSecretScanner implements SecretScanner {
    private record Rule(String id, Pattern regex, List<String> keywords, double entropy) {}

    private record Hit(Rule rule, int start, int end) {}

    private final List<Rule> rules;
    private final List<Pattern> allow;

    public RegexSecretScanner() {
        JsonNode root;
        try (InputStream in = RegexSecretScanner.class.getResourceAsStream("secret-rules.json")) {
            if (in == null) {
                throw new IllegalStateException("secret-rules.json is missing from code-core");
            }
            root = JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Rule> loaded = new ArrayList<>();
        for (JsonNode r : root.get("rules")) {
            List<String> keywords = new ArrayList<>();
            r.get("keywords").forEach(k -> keywords.add(k.asString().toLowerCase(Locale.ROOT)));
            loaded.add(new Rule(r.get("id").asString(), Pattern.compile(r.get("regex").asString()), List.copyOf(
                    keywords), r.has("entropy") ? r.get("entropy").asDouble() : 0));
        }
        List<Pattern> allowed = new ArrayList<>();
        root.get("allow").forEach(a -> allowed.add(Pattern.compile(a.asString())));
        this.rules = List.copyOf(loaded);
        this.allow = List.copyOf(allowed);
    }

    @Override
    public List<SecretFinding> scan(String text, String source) {
        List<SecretFinding> findings = new ArrayList<>();
        for (Hit hit : hits(text)) {
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < hit.start(); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            findings.add(new SecretFinding(hit.rule().id(), source, line, hit.start() - lineStart + 1, redacted(text
                    .substring(hit.start(), hit.end()))));
        }
        return findings;
    }

    @Override
    public String redact(String text) {
        List<Hit> hits = hits(text);
        if (hits.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (Hit hit : hits) {
            if (hit.start() < at) {
                continue; // overlaps one already redacted
            }
            out.append(text, at, hit.start()).append("[REDACTED:").append(hit.rule().id()).append(']');
            at = hit.end();
        }
        return out.append(text, at, text.length()).toString();
    }

    private List<Hit> hits(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        List<Hit> hits = new ArrayList<>();
        for (Rule rule : rules) {
            if (rule.keywords().stream().noneMatch(lower::contains)) {
                continue;
            }
            Matcher m = rule.regex().matcher(text);
            while (m.find()) {
                int group = m.groupCount() >= 1 && m.start(1) >= 0 ? 1 : 0;
                String secret = m.group(group);
                if (entropy(secret) < rule.entropy() || allow.stream().anyMatch(a -> a.matcher(secret).find())) {
                    continue;
                }
                int start = m.start(group);
                int end = m.end(group);
                if (hits.stream().noneMatch(h -> h.start() <= start && end <= h.end())) {
                    hits.add(new Hit(rule, start, end));
                }
            }
        }
        hits.sort(Comparator.comparingInt(Hit::start).thenComparing(h -> -h.end()));
        return hits;
    }

    /** Shannon entropy in bits per character. */
    static double entropy(String s) {
        int[] counts = new int[128];
        int other = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 128) {
                counts[c]++;
            } else {
                other++;
            }
        }
        double h = 0;
        for (int count : counts) {
            if (count > 0) {
                double p = (double) count / s.length();
                h -= p * Math.log(p) / Math.log(2);
            }
        }
        if (other > 0) {
            double p = (double) other / s.length();
            h -= p * Math.log(p) / Math.log(2);
        }
        return h;
    }

    private static String redacted(String secret) {
        return secret.substring(0, Math.min(4, secret.length())) + "…(" + secret.length() + " chars)";
    }
}
