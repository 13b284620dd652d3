package org.codeengine.core.internal.security.secrets;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** CODE's own rules, read once from {@code secret-rules.json} beside this class. */
public final class DefaultRules {
    private static final List<Rule> RULES = load();

    private DefaultRules() {}

    /** {@return CODE's rules, the more specific first} */
    public static List<Rule> rules() {
        return RULES;
    }

    /** {@return an engine over CODE's rules alone} */
    public static ScanEngine engine() {
        return Holder.ENGINE;
    }

    private static final class Holder {
        static final ScanEngine ENGINE = new ScanEngine(RULES, List.of());
    }

    private static List<Rule> load() {
        JsonNode root;
        try (InputStream in = DefaultRules.class.getResourceAsStream("secret-rules.json")) {
            if (in == null) {
                throw new IllegalStateException("secret-rules.json is missing from code-core");
            }
            root = JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Rule> rules = new ArrayList<>();
        for (JsonNode r : root.get("rules")) {
            String id = r.get("id").asString();
            try {
                List<String> keywords = new ArrayList<>();
                r.path("keywords").forEach(k -> keywords.add(k.asString()));
                List<Pattern> allow = new ArrayList<>();
                r.path("allow").forEach(a -> allow.add(Pattern.compile(a.asString())));
                rules.add(new Rule(id, Pattern.compile(r.get("regex").asString()), r.path("secretGroup").asInt(0), r
                        .path("entropy").asDouble(0), keywords, null,
                        List.of(new Allowlist(allow, Allowlist.Target.SECRET,
                                List.of(), List.of())),
                        true, r.path("multiline").asBoolean(false), Check.named(r.path("check").asString(""))));
            } catch (PatternSyntaxException e) {
                throw new IllegalStateException("secret-rules.json: rule " + id + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(rules);
    }
}
