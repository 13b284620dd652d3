package org.codeengine.core;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.security.ThreatRule;
import org.codeengine.core.internal.config.ConfigNode;

/**
 * Reads threat rules from the {@code threats} map of a configuration (the {@code code} app's {@code config.yaml}):
 * each key is a rule id, each value the fields that differ from that rule's default. Every error names the field and
 * the rule ({@code threats.login-burst-account.threshold must be a whole number but was "five"}).
 *
 * <pre>{@code
 * threats:
 *   login-burst-account: {threshold: 5, window: 10m, severity: critical, responses: [lock-account], for: 1h}
 *   permission-denials: {responses: [revoke-sessions]}
 *   rate-limit-flood: {responses: []}      # report only
 * }</pre>
 *
 * Severities: {@code low}, {@code medium}, {@code high}, {@code critical}. Responses: {@code lock-account},
 * {@code block-source}, {@code revoke-sessions}. Durations: {@code 250ms}, {@code 5s}, {@code 1m30s}, {@code PT5M}.
 */
public final class ThreatRules {
    private static final Set<String> FIELDS = Set.of("threshold", "window", "severity", "responses", "for");

    private ThreatRules() {}

    /**
     * {@return the rules it sets, each the default of its id with the fields given changed}
     *
     * @param text the {@code threats} map in YAML or JSON
     * @param source where it came from (a file name), for messages
     * @throws InvalidRequestException naming the field and the rule, if a key is not a rule id or a field is unknown
     *         or breaks its rule
     */
    public static List<ThreatRule> parse(String text, String source) {
        ConfigNode parsed = ConfigNode.parse(text, source, "a map of threat rule ids to their settings", "threats");
        ConfigNode root = new ConfigNode(parsed.json(), "threats", "threats");
        if (!root.json().isObject()) {
            throw root.invalid("must map threat rule ids to their settings, e.g. {login-burst-account: {threshold:"
                    + " 5}}");
        }
        List<ThreatRule> rules = new ArrayList<>();
        for (Map.Entry<String, tools.jackson.databind.JsonNode> entry : root.json().properties()) {
            ConfigNode node = root.child(entry.getKey(), entry.getValue());
            ThreatRule base = ThreatRule.defaults().stream().filter(r -> r.id().equals(entry.getKey())).findFirst()
                    .orElseThrow(() -> node.invalid("is not a threat rule; the rules are " + ThreatRule.IDS));
            if (node.json().isNull()) {
                continue;
            }
            node.only(FIELDS);
            int threshold = node.optional("threshold").map(ConfigNode::integer).orElse(base.threshold());
            var window = node.optional("window").map(ConfigNode::duration).orElse(base.window());
            var lasting = node.optional("for").map(ConfigNode::duration).orElse(base.responseFor());
            ThreatRule.Severity severity = node.optional("severity").map(n -> choice(n, ThreatRule.Severity.class))
                    .orElse(base.severity());
            Set<ThreatRule.Response> responses = node.optional("responses").map(n -> {
                Set<ThreatRule.Response> set = EnumSet.noneOf(ThreatRule.Response.class);
                n.elements().forEach(e -> set.add(choice(e, ThreatRule.Response.class)));
                return set;
            }).orElse(base.responses());
            rules.add(node.build(() -> new ThreatRule(base.id(), threshold, window, severity, responses, lasting)));
        }
        return List.copyOf(rules);
    }

    /** {@return the constant whose name, lower case with '-' for '_', the node holds} */
    private static <E extends Enum<E>> E choice(ConfigNode node, Class<E> type) {
        String text = node.text();
        List<String> names = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            String name = constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
            if (name.equals(text)) {
                return constant;
            }
            names.add(name);
        }
        throw node.invalid("must be one of " + names + " but was '" + text + "'");
    }
}
