package org.codeengine.core.internal.orchestrator;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.InvalidRequestException;

/** Fills {@code ${name}} placeholders in executor and health-check settings with the values of one instance. */
final class Placeholders {
    static final String PORT = "port";
    static final List<String> NAMES = List.of(PORT, "instance", "slot", "service", "run");

    private Placeholders() {}

    /** {@return values that stand in for a real instance when a plan is validated} */
    static Map<String, String> sample(String service) {
        return Map.of(PORT, "1024", "instance", "0", "slot", "blue", "service", service, "run", "dry-run");
    }

    /** {@return the names of the settings that hold a placeholder} */
    static Set<String> templated(Map<String, String> settings) {
        Set<String> names = new HashSet<>();
        settings.forEach((key, value) -> {
            if (value.contains("${")) {
                names.add(key);
            }
        });
        return Set.copyOf(names);
    }

    /** {@return whether any setting mentions {@code ${name}}} */
    static boolean mentions(Map<String, String> settings, String name) {
        String token = "${" + name + "}";
        return settings.values().stream().anyMatch(v -> v.contains(token));
    }

    /**
     * {@return the settings with every placeholder replaced}
     *
     * @param what where the settings come from, for the error message
     * @throws InvalidRequestException if a setting names a placeholder that does not exist or has no value
     */
    static Map<String, String> fill(Map<String, String> settings, Map<String, String> values, String what) {
        Map<String, String> filled = null;
        for (Map.Entry<String, String> setting : settings.entrySet()) {
            String value = setting.getValue();
            if (!value.contains("${")) {
                continue;
            }
            if (filled == null) {
                filled = new HashMap<>(settings);
            }
            filled.put(setting.getKey(), fillOne(value, values, what + "." + setting.getKey()));
        }
        return filled == null ? settings : Map.copyOf(filled);
    }

    private static String fillOne(String value, Map<String, String> values, String field) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        int at = 0;
        while (true) {
            int open = value.indexOf("${", at);
            if (open < 0) {
                return out.append(value, at, value.length()).toString();
            }
            int close = value.indexOf('}', open);
            if (close < 0) {
                throw new InvalidRequestException(field + " has a '${' without its '}'", null);
            }
            String name = value.substring(open + 2, close);
            String replacement = values.get(name);
            if (replacement == null) {
                throw new InvalidRequestException(field + " names placeholder ${" + name
                        + "}, which does not exist; the placeholders are " + NAMES, null);
            }
            out.append(value, at, open).append(replacement);
            at = close + 1;
        }
    }
}
