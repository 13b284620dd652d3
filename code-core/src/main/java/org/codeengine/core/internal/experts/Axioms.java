package org.codeengine.core.internal.experts;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.codeengine.api.experts.Axiom;
import org.codeengine.api.experts.Cluster;
import org.codeengine.api.experts.Vote;
import org.codeengine.api.security.SecretScanner;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Checks a decided answer against the panel's axioms. */
final class Axioms {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Axioms() {}

    /**
     * @param providers expert id to provider name
     * @return the name of the first axiom broken, or null when all hold
     */
    static @Nullable String firstBroken(List<Axiom> axioms, @Nullable String answer, @Nullable Cluster chosen,
            List<Vote> votes, Map<String, String> providers, SecretScanner scanner) {
        for (Axiom axiom : axioms) {
            boolean holds = switch (axiom) {
                case Axiom.MinAgreement a -> chosen != null && chosen.weight() + 1e-9 >= a.share();
                case Axiom.MinProviders p -> chosen != null && distinctProviders(chosen, providers) >= p.providers();
                case Axiom.NoSecrets n -> noSecrets(answer, chosen, votes, scanner);
                case Axiom.JsonSchema s -> answer != null && matchesSchema(answer, s.schema());
            };
            if (!holds) {
                return axiom.name();
            }
        }
        return null;
    }

    /** The answer, and the raw replies behind it (extraction may have changed case or cut a secret apart). */
    private static boolean noSecrets(@Nullable String answer, @Nullable Cluster chosen, List<Vote> votes,
            SecretScanner scanner) {
        if (answer != null && !scanner.scan(answer, "consensus").isEmpty()) {
            return false;
        }
        for (Vote v : votes) {
            if (chosen != null && chosen.experts().contains(v.expert()) && !scanner.scan(v.reply(), v.expert())
                    .isEmpty()) {
                return false;
            }
        }
        return true;
    }

    private static int distinctProviders(Cluster chosen, Map<String, String> providers) {
        Set<String> distinct = new HashSet<>();
        for (String expert : chosen.experts()) {
            distinct.add(providers.getOrDefault(expert, expert));
        }
        return distinct.size();
    }

    static boolean matchesSchema(String answer, JsonNode schema) {
        JsonNode value;
        try {
            value = JSON.readTree(answer);
        } catch (JacksonException e) {
            return false;
        }
        return value != null && matches(value, schema);
    }

    /** The subset of JSON Schema named in {@link Axiom.JsonSchema}. */
    static boolean matches(JsonNode value, JsonNode schema) {
        JsonNode type = schema.get("type");
        if (type != null && type.isString() && !hasType(value, type.asString())) {
            return false;
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && allowed.isArray()) {
            boolean found = false;
            for (JsonNode option : allowed) {
                found |= option.equals(value);
            }
            if (!found) {
                return false;
            }
        }
        if (value.isNumber()) {
            JsonNode min = schema.get("minimum");
            JsonNode max = schema.get("maximum");
            if (min != null && min.isNumber() && value.asDouble() < min.asDouble() || max != null && max.isNumber()
                    && value.asDouble() > max.asDouble()) {
                return false;
            }
        }
        if (value.isObject()) {
            JsonNode required = schema.get("required");
            if (required != null) {
                for (JsonNode name : required) {
                    if (!value.has(name.asString())) {
                        return false;
                    }
                }
            }
            JsonNode properties = schema.get("properties");
            JsonNode additional = schema.get("additionalProperties");
            for (var field : value.properties()) {
                JsonNode sub = properties == null ? null : properties.get(field.getKey());
                if (sub != null) {
                    if (!matches(field.getValue(), sub)) {
                        return false;
                    }
                } else if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
                    return false;
                }
            }
        }
        if (value.isArray()) {
            JsonNode items = schema.get("items");
            if (items != null && items.isObject()) {
                for (JsonNode item : value) {
                    if (!matches(item, items)) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isString();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber() || value.isNumber() && value.asDouble() == Math.rint(value
                    .asDouble());
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> true;
        };
    }
}
