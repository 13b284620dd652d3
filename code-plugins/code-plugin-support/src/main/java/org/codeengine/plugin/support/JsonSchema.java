package org.codeengine.plugin.support;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * Checks a JSON value against a JSON Schema (2020-12) for the keywords tools use: {@code type}, {@code enum},
 * {@code const}, {@code properties}, {@code required}, {@code additionalProperties}, {@code patternProperties},
 * {@code items}, {@code prefixItems}, the size, length and range bounds, {@code multipleOf}, {@code pattern},
 * {@code uniqueItems}, {@code allOf}, {@code anyOf}, {@code oneOf}, {@code not}, {@code if}/{@code then}/{@code else},
 * {@code dependentRequired} and {@code $ref} into the same document ({@code #/$defs/...}). {@code format} is an
 * annotation, as 2020-12 makes it by default; unknown keywords are ignored. Thread-safe and stateless.
 */
public final class JsonSchema {
    private static final int MAX_DEPTH = 64;
    private static final int MAX_ERRORS = 20;

    private JsonSchema() {}

    /**
     * @param schema the schema (an object or a boolean)
     * @param instance the value to check
     * @return each broken rule as {@code <path>: <rule>} ({@code $} is the value itself), at most 20; empty when the
     *         value is valid
     */
    public static List<String> validate(JsonNode schema, JsonNode instance) {
        List<String> errors = new ArrayList<>();
        check(schema, schema, instance, "$", errors, 0);
        return errors.size() > MAX_ERRORS ? List.copyOf(errors.subList(0, MAX_ERRORS)) : List.copyOf(errors);
    }

    private static void check(JsonNode root, JsonNode schema, JsonNode value, String path, List<String> errors,
            int depth) {
        if (errors.size() > MAX_ERRORS) {
            return;
        }
        if (depth > MAX_DEPTH) {
            errors.add(path + ": the schema nests too deep");
            return;
        }
        if (schema.isBoolean()) {
            if (!schema.booleanValue()) {
                errors.add(path + ": no value is allowed here");
            }
            return;
        }
        if (!schema.isObject()) {
            return;
        }
        JsonNode ref = schema.get("$ref");
        if (ref != null && ref.isString()) {
            JsonNode target = resolve(root, ref.stringValue());
            if (target == null) {
                errors.add(path + ": the schema's $ref '" + ref.stringValue() + "' cannot be resolved");
            } else {
                check(root, target, value, path, errors, depth + 1);
            }
        }
        JsonNode type = schema.get("type");
        if (type != null && !typeMatches(type, value)) {
            errors.add(path + ": must be of type " + (type.isArray() ? type.toString() : type.asString()) + " but is "
                    + typeOf(value));
            return;
        }
        JsonNode enumeration = schema.get("enum");
        if (enumeration != null && enumeration.isArray() && !contains(enumeration, value)) {
            errors.add(path + ": must be one of " + clip(enumeration.toString()));
        }
        JsonNode constant = schema.get("const");
        if (constant != null && !same(constant, value)) {
            errors.add(path + ": must be " + clip(constant.toString()));
        }
        if (value.isObject()) {
            object(root, schema, value, path, errors, depth);
        } else if (value.isArray()) {
            array(root, schema, value, path, errors, depth);
        } else if (value.isString()) {
            string(schema, value.stringValue(), path, errors);
        } else if (value.isNumber()) {
            number(schema, value.decimalValue(), path, errors);
        }
        combinators(root, schema, value, path, errors, depth);
    }

    private static void combinators(JsonNode root, JsonNode schema, JsonNode value, String path, List<String> errors,
            int depth) {
        JsonNode all = schema.get("allOf");
        if (all != null && all.isArray()) {
            for (JsonNode each : all) {
                check(root, each, value, path, errors, depth + 1);
            }
        }
        JsonNode any = schema.get("anyOf");
        if (any != null && any.isArray()) {
            int passing = passing(root, any, value, path, depth, true);
            if (passing == 0) {
                errors.add(path + ": must match at least one schema of anyOf");
            }
        }
        JsonNode one = schema.get("oneOf");
        if (one != null && one.isArray()) {
            int passing = passing(root, one, value, path, depth, false);
            if (passing != 1) {
                errors.add(path + ": must match exactly one schema of oneOf but matches " + passing);
            }
        }
        JsonNode not = schema.get("not");
        if (not != null && validate(root, not, value, path, depth)) {
            errors.add(path + ": must not match the schema of not");
        }
        JsonNode condition = schema.get("if");
        if (condition != null) {
            JsonNode branch = validate(root, condition, value, path, depth) ? schema.get("then") : schema.get("else");
            if (branch != null) {
                check(root, branch, value, path, errors, depth + 1);
            }
        }
    }

    private static int passing(JsonNode root, JsonNode schemas, JsonNode value, String path, int depth,
            boolean stopAtFirst) {
        int passing = 0;
        for (JsonNode each : schemas) {
            if (validate(root, each, value, path, depth)) {
                passing++;
                if (stopAtFirst) {
                    break;
                }
            }
        }
        return passing;
    }

    private static boolean validate(JsonNode root, JsonNode schema, JsonNode value, String path, int depth) {
        List<String> scratch = new ArrayList<>();
        check(root, schema, value, path, scratch, depth + 1);
        return scratch.isEmpty();
    }

    private static void object(JsonNode root, JsonNode schema, JsonNode value, String path, List<String> errors,
            int depth) {
        JsonNode required = schema.get("required");
        if (required != null && required.isArray()) {
            for (JsonNode name : required) {
                if (name.isString() && !value.has(name.stringValue())) {
                    errors.add(path + ": the property '" + name.stringValue() + "' is required");
                }
            }
        }
        JsonNode properties = schema.get("properties");
        JsonNode patterns = schema.get("patternProperties");
        JsonNode additional = schema.get("additionalProperties");
        for (Map.Entry<String, JsonNode> property : value.properties()) {
            String name = property.getKey();
            String at = path + "." + name;
            boolean known = false;
            if (properties != null && properties.has(name)) {
                known = true;
                check(root, properties.get(name), property.getValue(), at, errors, depth + 1);
            }
            if (patterns != null && patterns.isObject()) {
                for (Map.Entry<String, JsonNode> pattern : patterns.properties()) {
                    Pattern compiled = compile(pattern.getKey());
                    if (compiled != null && compiled.matcher(name).find()) {
                        known = true;
                        check(root, pattern.getValue(), property.getValue(), at, errors, depth + 1);
                    }
                }
            }
            if (!known && additional != null) {
                if (additional.isBoolean() && !additional.booleanValue()) {
                    errors.add(path + ": the property '" + clip(name) + "' is not allowed");
                } else {
                    check(root, additional, property.getValue(), at, errors, depth + 1);
                }
            }
        }
        bounds(schema, "minProperties", "maxProperties", value.size(), "properties", path, errors);
        JsonNode dependent = schema.get("dependentRequired");
        if (dependent != null && dependent.isObject()) {
            for (Map.Entry<String, JsonNode> rule : dependent.properties()) {
                if (value.has(rule.getKey())) {
                    for (JsonNode name : rule.getValue()) {
                        if (name.isString() && !value.has(name.stringValue())) {
                            errors.add(path + ": the property '" + name.stringValue() + "' is required when '" + rule
                                    .getKey() + "' is present");
                        }
                    }
                }
            }
        }
    }

    private static void array(JsonNode root, JsonNode schema, JsonNode value, String path, List<String> errors,
            int depth) {
        int start = 0;
        JsonNode prefix = schema.get("prefixItems");
        if (prefix != null && prefix.isArray()) {
            for (int i = 0; i < prefix.size() && i < value.size(); i++) {
                check(root, prefix.get(i), value.get(i), path + "[" + i + "]", errors, depth + 1);
            }
            start = prefix.size();
        }
        JsonNode items = schema.get("items");
        if (items != null && (items.isObject() || items.isBoolean())) {
            for (int i = start; i < value.size(); i++) {
                check(root, items, value.get(i), path + "[" + i + "]", errors, depth + 1);
            }
        }
        bounds(schema, "minItems", "maxItems", value.size(), "items", path, errors);
        JsonNode unique = schema.get("uniqueItems");
        if (unique != null && unique.asBoolean(false)) {
            Set<JsonNode> seen = new HashSet<>();
            for (JsonNode each : value) {
                if (!seen.add(each)) {
                    errors.add(path + ": the items must be unique");
                    break;
                }
            }
        }
    }

    private static void string(JsonNode schema, String value, String path, List<String> errors) {
        bounds(schema, "minLength", "maxLength", value.codePointCount(0, value.length()), "characters", path, errors);
        JsonNode pattern = schema.get("pattern");
        if (pattern != null && pattern.isString()) {
            Pattern compiled = compile(pattern.stringValue());
            if (compiled != null && !compiled.matcher(value).find()) {
                errors.add(path + ": must match the pattern " + clip(pattern.stringValue()));
            }
        }
    }

    private static void number(JsonNode schema, BigDecimal value, String path, List<String> errors) {
        limit(schema, "minimum", path, errors, value, 1, true);
        limit(schema, "exclusiveMinimum", path, errors, value, 1, false);
        limit(schema, "maximum", path, errors, value, -1, true);
        limit(schema, "exclusiveMaximum", path, errors, value, -1, false);
        JsonNode multiple = schema.get("multipleOf");
        if (multiple != null && multiple.isNumber() && multiple.decimalValue().signum() > 0 && value.remainder(multiple
                .decimalValue()).signum() != 0) {
            errors.add(path + ": must be a multiple of " + multiple.asString());
        }
    }

    /** @param side 1 for a lower bound, -1 for an upper */
    private static void limit(JsonNode schema, String keyword, String path, List<String> errors, BigDecimal value,
            int side, boolean inclusive) {
        JsonNode bound = schema.get(keyword);
        if (bound == null || !bound.isNumber()) {
            return;
        }
        int cmp = value.compareTo(bound.decimalValue()) * side;
        if (cmp < 0 || (!inclusive && cmp == 0)) {
            errors.add(path + ": must be " + (side > 0 ? "at least " : "at most ") + bound.asString() + (inclusive
                    ? ""
                    : " (exclusive)"));
        }
    }

    private static void bounds(JsonNode schema, String min, String max, int size, String unit, String path,
            List<String> errors) {
        JsonNode low = schema.get(min);
        if (low != null && low.isNumber() && size < low.asLong()) {
            errors.add(path + ": must have at least " + low.asLong() + " " + unit);
        }
        JsonNode high = schema.get(max);
        if (high != null && high.isNumber() && size > high.asLong()) {
            errors.add(path + ": must have at most " + high.asLong() + " " + unit);
        }
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode each : type) {
                if (each.isString() && is(each.stringValue(), value)) {
                    return true;
                }
            }
            return false;
        }
        return !type.isString() || is(type.stringValue(), value);
    }

    private static boolean is(String type, JsonNode value) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isString();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            case "number" -> value.isNumber();
            case "integer" -> value.isIntegralNumber() || (value.isNumber() && isWhole(value.decimalValue()));
            default -> true;
        };
    }

    private static boolean isWhole(BigDecimal number) {
        return number.signum() == 0 || number.scale() <= 0 || number.stripTrailingZeros().scale() <= 0;
    }

    private static String typeOf(JsonNode value) {
        if (value.isIntegralNumber()) {
            return "integer";
        }
        return value.isNumber()
                ? "number"
                : value.isString()
                        ? "string"
                        : value.isBoolean()
                                ? "boolean"
                                : value.isArray() ? "array" : value.isObject() ? "object" : "null";
    }

    private static boolean contains(JsonNode values, JsonNode value) {
        for (JsonNode each : values) {
            if (same(each, value)) {
                return true;
            }
        }
        return false;
    }

    /** JSON equality: 1 and 1.0 are the same number. */
    private static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }

    private static @Nullable JsonNode resolve(JsonNode root, String ref) {
        if (ref.equals("#")) {
            return root;
        }
        if (!ref.startsWith("#/")) {
            return null;
        }
        JsonNode target = root.at(ref.substring(1));
        return target.isMissingNode() ? null : target;
    }

    private static @Nullable Pattern compile(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            return null;
        }
    }

    private static String clip(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }
}
