package org.codeengine.core.internal.experts;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.experts.Axiom;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Extraction;
import org.codeengine.api.experts.Price;
import org.codeengine.api.experts.Quorum;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.core.internal.config.ConfigNode;
import org.jspecify.annotations.Nullable;

/**
 * Reads an {@link ExpertPanel} from YAML or JSON. API keys are never written in the file: {@code apiKey} names where
 * the key is ({@code env:OPENAI_API_KEY}, {@code vault:name}, {@code secret://name}); it becomes the provider setting
 * {@link ProviderConfig#KEY_REF}, resolved when a circle is built.
 */
public final class PanelCodec {
    private PanelCodec() {}

    private static final Set<String> PANEL = Set.of("experts", "providers", "quorum", "expertTimeout", "cacheTtl",
            "extraction", "strategy", "axioms", "prices", "limits");
    private static final Set<String> EXPERT = Set.of("provider", "model", "role", "prompt", "weight");
    private static final Set<String> PROVIDER = Set.of("baseUrl", "apiKey", "timeout", "settings");
    private static final Set<String> PRICE = Set.of("input", "output");
    private static final Set<String> LIMITS = Set.of("ratePerSecond", "concurrent", "attempts");

    /**
     * {@return the panel}
     *
     * @param text the panel in YAML or JSON
     * @param source where it came from, for messages
     * @throws org.codeengine.api.InvalidRequestException naming the field and the rule
     */
    public static ExpertPanel read(String text, String source) {
        ConfigNode root = ConfigNode.parse(text, source, "an expert panel", "the panel");
        try {
            return panel(root);
        } catch (org.codeengine.api.InvalidRequestException e) {
            throw new org.codeengine.api.InvalidRequestException(source + ": " + e.getMessage(), null);
        }
    }

    private static ExpertPanel panel(ConfigNode root) {
        root.only(PANEL);
        ExpertPanel.Builder b = ExpertPanel.builder();
        for (ConfigNode e : root.required("experts").elements()) {
            e.only(EXPERT);
            String provider = e.required("provider").text();
            String model = e.required("model").text();
            String role = e.optional("role").map(ConfigNode::text).orElse(null);
            String prompt = e.optional("prompt").map(ConfigNode::text).orElse(null);
            double weight = e.optional("weight").map(ConfigNode::decimal).orElse(1.0);
            b.expert(e.build(() -> new ExpertSpec(provider, model, role, prompt, weight)));
        }
        root.optional("providers").ifPresent(ps -> fields(ps).forEach(p -> {
            ProviderConfig config = provider(p.node());
            p.node().build(() -> b.provider(p.name(), config));
        }));
        root.optional("quorum").ifPresent(q -> b.quorum(quorum(q)));
        root.optional("expertTimeout").ifPresent(t -> t.build(() -> b.expertTimeout(t.duration())));
        root.optional("cacheTtl").ifPresent(t -> t.build(() -> b.cacheTtl(t.duration())));
        root.optional("extraction").ifPresent(x -> b.extraction(extraction(x)));
        root.optional("strategy").ifPresent(s -> s.build(() -> b.strategy(s.text())));
        root.optional("axioms").ifPresent(as -> as.elements().forEach(a -> {
            Axiom axiom = axiom(a);
            if (axiom != null) {
                b.axiom(axiom);
            }
        }));
        root.optional("prices").ifPresent(ps -> fields(ps).forEach(f -> {
            ConfigNode p = f.node();
            p.only(PRICE);
            double in = p.required("input").decimal();
            double out = p.required("output").decimal();
            p.build(() -> b.price(f.name(), new Price(in, out)));
        }));
        root.optional("limits").ifPresent(ls -> fields(ls).forEach(f -> {
            ConfigNode l = f.node();
            l.only(LIMITS);
            var d = ExpertPanel.ProviderLimits.DEFAULT;
            double rate = l.optional("ratePerSecond").map(ConfigNode::decimal).orElse(d.ratePerSecond());
            int concurrent = l.optional("concurrent").map(ConfigNode::integer).orElse(d.concurrent());
            int attempts = l.optional("attempts").map(ConfigNode::integer).orElse(d.attempts());
            l.build(() -> b.limits(f.name(), new ExpertPanel.ProviderLimits(rate, concurrent, attempts)));
        }));
        return root.build(b::build);
    }

    /** A named entry of a map: its name as written (model names hold dots) and its value. */
    private record Field(String name, ConfigNode node) {}

    private static java.util.List<Field> fields(ConfigNode map) {
        if (!map.json().isObject()) {
            throw map.invalid("must be a map of names to settings");
        }
        return map.json().propertyNames().stream().map(n -> new Field(n, map.child(n, map.json().get(n)))).toList();
    }

    private static ProviderConfig provider(ConfigNode p) {
        p.only(PROVIDER);
        URI base = p.optional("baseUrl").map(u -> u.build(() -> URI.create(u.text()))).orElse(null);
        Duration timeout = p.optional("timeout").map(ConfigNode::duration).orElse(Duration.ofSeconds(60));
        Map<String, String> settings = new java.util.LinkedHashMap<>(p.optional("settings").map(
                ConfigNode::settings).orElse(Map.of()));
        p.optional("apiKey").ifPresent(k -> settings.put(ProviderConfig.KEY_REF, keyRef(k)));
        return p.build(() -> new ProviderConfig(base, null, timeout, settings));
    }

    private static String keyRef(ConfigNode k) {
        String ref = k.text().strip();
        try {
            SecretRef.parse(ref);
        } catch (IllegalArgumentException e) {
            throw k.invalid("must name where the key is (env:OPENAI_API_KEY, vault:name or secret://name); never"
                    + " write the key itself");
        }
        return ref;
    }

    private static Quorum quorum(ConfigNode q) {
        if (q.json().isIntegralNumber()) {
            return q.build(() -> Quorum.of(q.integer()));
        }
        if (q.json().isNumber()) {
            return q.build(() -> Quorum.fraction(q.decimal()));
        }
        String text = q.text().strip();
        if (text.equals("majority")) {
            return Quorum.majority();
        }
        if (text.endsWith("%")) {
            try {
                double share = Double.parseDouble(text.substring(0, text.length() - 1)) / 100;
                return q.build(() -> Quorum.fraction(share));
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
        }
        throw q.invalid("must be a count (2), a share (0.6 or 60%) or 'majority' but was '" + text + "'");
    }

    /** {@code auto}, {@code numeric}, {@code text}, {@code choice:D}, {@code json:path[:numeric|text|choice:X]}. */
    private static Extraction extraction(ConfigNode x) {
        String spec = x.text().strip();
        Extraction parsed = x.build(() -> extraction(spec));
        if (parsed == null) {
            throw x.invalid("must be auto, numeric, text, choice:<last letter>, json:<path>[:<how>] or"
                    + " regex:<pattern> but was '" + spec + "'");
        }
        return parsed;
    }

    private static @Nullable Extraction extraction(String spec) {
        if (spec.startsWith("regex:")) {
            return new Extraction.Regex(spec.substring(6), Extraction.auto());
        }
        if (spec.startsWith("json:")) {
            String rest = spec.substring(5);
            int colon = rest.indexOf(':');
            Extraction then = colon < 0 ? Extraction.auto() : extraction(rest.substring(colon + 1));
            return then == null ? null : new Extraction.JsonField(colon < 0 ? rest : rest.substring(0, colon), then);
        }
        if (spec.startsWith("choice:") && spec.length() == 8) {
            return new Extraction.Choice(Character.toUpperCase(spec.charAt(7)));
        }
        return switch (spec) {
            case "auto" -> Extraction.auto();
            case "numeric" -> new Extraction.Numeric();
            case "text" -> new Extraction.Text();
            default -> null;
        };
    }

    /** {@return the axiom, or null for {@code noSecrets: false}} */
    private static @Nullable Axiom axiom(ConfigNode a) {
        if (!a.json().isObject() || a.json().size() != 1) {
            throw a.invalid("must be one of {minAgreement: 0.6}, {minProviders: 2}, {noSecrets: true},"
                    + " {jsonSchema: {...}}");
        }
        String kind = a.json().propertyNames().iterator().next();
        ConfigNode v = a.child(kind, a.json().get(kind));
        return switch (kind) {
            case "minAgreement" -> v.build(() -> new Axiom.MinAgreement(v.decimal()));
            case "minProviders" -> v.build(() -> new Axiom.MinProviders(v.integer()));
            case "noSecrets" -> {
                if (!v.json().isBoolean()) {
                    throw v.invalid("must be true or false");
                }
                yield v.json().asBoolean() ? new Axiom.NoSecrets() : null;
            }
            case "jsonSchema" -> v.build(() -> new Axiom.JsonSchema(v.json()));
            default -> throw a.invalid("has an unknown axiom '" + kind
                    + "'; the axioms are minAgreement, minProviders, noSecrets, jsonSchema");
        };
    }
}
