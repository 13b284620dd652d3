package org.codeengine.schema;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * Checks a JSON value against a JSON Schema (2020-12) for the keywords tools use: {@code type}, {@code enum},
 * {@code const}, {@code properties}, {@code required}, {@code additionalProperties}, {@code patternProperties},
 * {@code propertyNames}, {@code dependentRequired}, {@code dependentSchemas}, {@code items}, {@code prefixItems},
 * {@code contains} with {@code minContains}/{@code maxContains}, {@code uniqueItems}, the size, length and range
 * bounds, {@code multipleOf}, {@code pattern}, {@code allOf}, {@code anyOf}, {@code oneOf}, {@code not},
 * {@code if}/{@code then}/{@code else}, and {@code $ref} into the same document: a JSON pointer ({@code #/$defs/...},
 * percent-encoded as a URI fragment) or a {@code $anchor} ({@code #name}).
 *
 * <p>What it does not do, on purpose or not yet:
 * <ul>
 * <li>{@code unevaluatedProperties}, {@code unevaluatedItems}, {@code $dynamicRef} and the {@code content*} keywords
 * are ignored, as is every unknown keyword: a schema that relies on them accepts more than it says.</li>
 * <li>A {@code $ref} to another document, or relative to an {@code $id}, is not followed: it is reported as an error
 * ("cannot be resolved"), so it never passes silently. {@code $anchor}s are looked up in the whole document.</li>
 * <li>{@code format}, {@code default}, {@code examples}, {@code title} and {@code description} are annotations, as
 * 2020-12 makes them by default: nothing is asserted and no default is filled in.</li>
 * <li>{@code pattern} and {@code patternProperties} run on RE2/J, unanchored: in time linear in the input, so no
 * pattern a tool declares and no argument a client sends can make a check backtrack for long (ECMA-262's
 * backreferences and lookaround are not there). A pattern it cannot compile is reported as an error rather than
 * skipped.</li>
 * <li>A value of the wrong {@code type} gets that one error: the other keywords at the same place are not checked.</li>
 * <li>Schemas nest at most 64 levels deep (counting {@code $ref}s), and at most 20 errors are reported.</li>
 * </ul>
 * Numbers compare exactly, as decimals; equality ({@code enum}, {@code const}, {@code uniqueItems}) is JSON's: 1 and
 * 1.0 are the same number at any depth, and the order of an object's properties does not matter. Thread-safe and
 * stateless.
 */
public final class JsonSchema {
    private static final int MAX_DEPTH = 64;
    private static final int MAX_ERRORS = 20;
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

    private JsonSchema() {}

    /**
     * {@return each broken rule as {@code <path>: <rule>}, at most 20; empty when the value is valid. The path starts at
     *         {@code $}, the value itself, and goes down by {@code .name}, {@code ['other name']} (a name that is no
     *         identifier) and {@code [index]}, as in {@code $.items[2]['x-id']: must be of type string but is
     *         integer}}
     *
     * @param schema the schema (an object or a boolean)
     * @param instance the value to check
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
            number(schema, value, path, errors);
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
        Map<Pattern, JsonNode> patterns = new HashMap<>();
        JsonNode patternProperties = schema.get("patternProperties");
        if (patternProperties != null && patternProperties.isObject()) {
            for (Map.Entry<String, JsonNode> pattern : patternProperties.properties()) {
                Pattern compiled = compile(pattern.getKey(), path, errors);
                if (compiled != null) {
                    patterns.put(compiled, pattern.getValue());
                }
            }
        }
        JsonNode additional = schema.get("additionalProperties");
        JsonNode names = schema.get("propertyNames");
        for (Map.Entry<String, JsonNode> property : value.properties()) {
            String name = property.getKey();
            String at = child(path, name);
            if (names != null) {
                propertyName(root, names, name, path, errors, depth);
            }
            boolean known = false;
            if (properties != null && properties.has(name)) {
                known = true;
                check(root, properties.get(name), property.getValue(), at, errors, depth + 1);
            }
            for (Map.Entry<Pattern, JsonNode> pattern : patterns.entrySet()) {
                if (pattern.getKey().matcher(name).find()) {
                    known = true;
                    check(root, pattern.getValue(), property.getValue(), at, errors, depth + 1);
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
        JsonNode dependentSchemas = schema.get("dependentSchemas");
        if (dependentSchemas != null && dependentSchemas.isObject()) {
            for (Map.Entry<String, JsonNode> rule : dependentSchemas.properties()) {
                if (value.has(rule.getKey())) {
                    check(root, rule.getValue(), value, path, errors, depth + 1);
                }
            }
        }
    }

    /** Checks a property's name against {@code propertyNames}; its errors name the property. */
    private static void propertyName(JsonNode root, JsonNode names, String name, String path, List<String> errors,
            int depth) {
        List<String> broken = new ArrayList<>();
        check(root, names, JsonNodeFactory.instance.stringNode(name), "", broken, depth + 1);
        for (String error : broken) {
            errors.add(path + ": the property name '" + clip(name) + "' " + error.substring(error.indexOf(": ") + 2));
        }
    }

    /** {@return the path of a property: {@code $.name}, or {@code $['odd name']} when the name is no identifier} */
    private static String child(String path, String name) {
        if (IDENTIFIER.matcher(name).matches()) {
            return path + "." + name;
        }
        return path + "['" + clip(name).replace("\\", "\\\\").replace("'", "\\'") + "']";
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
            Set<Object> seen = new HashSet<>();
            for (JsonNode each : value) {
                if (!seen.add(canonical(each))) {
                    errors.add(path + ": the items must be unique");
                    break;
                }
            }
        }
        JsonNode contains = schema.get("contains");
        if (contains != null) {
            int matching = 0;
            for (JsonNode each : value) {
                if (validate(root, contains, each, path, depth)) {
                    matching++;
                }
            }
            JsonNode min = schema.get("minContains");
            long least = min != null && min.isNumber() ? min.asLong() : 1;
            JsonNode max = schema.get("maxContains");
            if (matching < least) {
                errors.add(path + ": must contain at least " + matches(least));
            } else if (max != null && max.isNumber() && matching > max.asLong()) {
                errors.add(path + ": must contain at most " + matches(max.asLong()));
            }
        }
    }

    private static String matches(long count) {
        return count == 1 ? "1 item that matches contains" : count + " items that match contains";
    }

    private static void string(JsonNode schema, String value, String path, List<String> errors) {
        bounds(schema, "minLength", "maxLength", value.codePointCount(0, value.length()), "characters", path, errors);
        JsonNode pattern = schema.get("pattern");
        if (pattern != null && pattern.isString()) {
            Pattern compiled = compile(pattern.stringValue(), path, errors);
            if (compiled != null && !compiled.matcher(value).find()) {
                errors.add(path + ": must match the pattern " + clip(pattern.stringValue()));
            }
        }
    }

    private static void number(JsonNode schema, JsonNode value, String path, List<String> errors) {
        limit(schema, "minimum", value, 1, true, "at least ", path, errors);
        limit(schema, "exclusiveMinimum", value, 1, false, "greater than ", path, errors);
        limit(schema, "maximum", value, -1, true, "at most ", path, errors);
        limit(schema, "exclusiveMaximum", value, -1, false, "less than ", path, errors);
        JsonNode multiple = schema.get("multipleOf");
        if (multiple != null && multiple.isNumber() && finite(multiple) && multiple.decimalValue().signum() > 0
                && (!finite(value) || value.decimalValue().remainder(multiple.decimalValue()).signum() != 0)) {
            errors.add(path + ": must be a multiple of " + multiple.asString());
        }
    }

    /** @param side 1 for a lower bound, -1 for an upper */
    private static void limit(JsonNode schema, String keyword, JsonNode value, int side, boolean inclusive,
            String rule, String path, List<String> errors) {
        JsonNode bound = schema.get(keyword);
        if (bound == null || !bound.isNumber()) {
            return;
        }
        int cmp = compare(value, bound) * side;
        if (cmp < 0 || (!inclusive && cmp == 0)) {
            errors.add(path + ": must be " + rule + bound.asString());
        }
    }

    /** Compares exactly, as decimals; a number too large for a double (parsed as an infinity) as a double. */
    private static int compare(JsonNode a, JsonNode b) {
        if (finite(a) && finite(b)) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return Double.compare(a.doubleValue(), b.doubleValue());
    }

    private static boolean finite(JsonNode number) {
        return !(number.isDouble() || number.isFloat()) || Double.isFinite(number.doubleValue());
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
            case "integer" -> value.isIntegralNumber() || (value.isNumber() && (!finite(value) || isWhole(value
                    .decimalValue())));
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
        Object wanted = canonical(value);
        for (JsonNode each : values) {
            if (canonical(each).equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static boolean same(JsonNode a, JsonNode b) {
        return canonical(a).equals(canonical(b));
    }

    /**
     * {@return a value whose {@code equals} is JSON's equality: numbers by their value at any depth (1 and 1.0 are one
     *         number), objects whatever the order of their properties}
     */
    private static Object canonical(JsonNode value) {
        if (value.isNumber()) {
            return finite(value) ? value.decimalValue().stripTrailingZeros() : value.doubleValue();
        }
        if (value.isArray()) {
            List<Object> items = new ArrayList<>(value.size());
            value.forEach(each -> items.add(canonical(each)));
            return items;
        }
        if (value.isObject()) {
            Map<String, Object> properties = new HashMap<>();
            value.properties().forEach(p -> properties.put(p.getKey(), canonical(p.getValue())));
            return properties;
        }
        return value;
    }

    private static @Nullable JsonNode resolve(JsonNode root, String ref) {
        if (!ref.startsWith("#")) {
            return null; // another document, or relative to an $id: not followed
        }
        String fragment;
        try {
            fragment = URI.create(ref).getFragment(); // percent-decoded, as a URI fragment is
        } catch (IllegalArgumentException e) {
            fragment = ref.substring(1);
        }
        if (fragment == null || fragment.isEmpty()) {
            return root;
        }
        if (!fragment.startsWith("/")) {
            return anchor(root, fragment, 0);
        }
        JsonNode target = root.at(fragment);
        return target.isMissingNode() ? null : target;
    }

    private static @Nullable JsonNode anchor(JsonNode schema, String name, int depth) {
        if (depth > MAX_DEPTH || !(schema.isObject() || schema.isArray())) {
            return null;
        }
        if (schema.isObject() && name.equals(schema.path("$anchor").asString(null))) {
            return schema;
        }
        for (JsonNode each : schema) {
            JsonNode found = anchor(each, name, depth + 1);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static @Nullable Pattern compile(String regex, String path, List<String> errors) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            errors.add(path + ": the schema's pattern '" + clip(regex) + "' is not a valid regular expression");
            return null;
        }
    }

    private static String clip(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "…";
    }
}
