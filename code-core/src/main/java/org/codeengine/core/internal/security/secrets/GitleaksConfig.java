package org.codeengine.core.internal.security.secrets;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Reads a gitleaks-format configuration ({@code .gitleaks.toml}) into an engine: {@code [[rules]]} with {@code id},
 * {@code regex} (RE2 syntax, as Go's regexp), {@code secretGroup}, {@code entropy}, {@code keywords}, {@code path},
 * and allowlists ({@code [rules.allowlist]} or {@code [[rules.allowlists]]}; top-level {@code [allowlist]} or
 * {@code [[allowlists]]}, those with {@code targetRules} applying to those rules only) with {@code regexes},
 * {@code regexTarget}, {@code stopwords} and {@code paths}; {@code [extend]} with {@code useDefault} (CODE's rules
 * first, a custom rule of the same id replacing CODE's), {@code path} (another configuration, relative to this one)
 * and {@code disabledRules}. A key gitleaks does not define, a regex that does not compile, or a rule without an id or
 * regex is refused, naming the rule. An allowlist's {@code commits} only apply to history, which a scan of files
 * does not read; {@code condition = "AND"} is refused.
 */
public final class GitleaksConfig {
    private static final Set<String> TOP = Set.of("title", "description", "minVersion", "extend", "rules", "allowlist",
            "allowlists");
    private static final Set<String> EXTEND = Set.of("useDefault", "path", "url", "disabledRules");
    private static final Set<String> RULE = Set.of("id", "description", "regex", "secretGroup", "entropy", "keywords",
            "path", "tags", "allowlist", "allowlists", "skipReport");
    private static final Set<String> ALLOWLIST = Set.of("description", "condition", "commits", "paths", "regexes",
            "regexTarget", "stopwords", "targetRules");

    private GitleaksConfig() {}

    /**
     * {@return an engine with its rules}
     *
     * @param file a gitleaks-format configuration
     * @throws IllegalArgumentException naming the file, the rule and the key, if the configuration is not valid
     */
    public static ScanEngine load(Path file) {
        Map<String, Rule> rules = new LinkedHashMap<>();
        List<Allowlist> global = new ArrayList<>();
        Set<String> custom = new HashSet<>();
        read(file, rules, custom, global, 0);
        List<Rule> ordered = new ArrayList<>(); // the team's rules first: of two matches at one place, theirs is kept
        rules.values().stream().filter(r -> custom.contains(r.id())).forEach(ordered::add);
        rules.values().stream().filter(r -> !custom.contains(r.id())).forEach(ordered::add);
        return new ScanEngine(ordered, global);
    }

    private static void read(Path file, Map<String, Rule> rules, Set<String> custom, List<Allowlist> global,
            int depth) {
        if (depth > 4) {
            throw new IllegalArgumentException(file + ": [extend] path: configurations extend each other more than 4 "
                    + "deep (a cycle?)");
        }
        Map<String, Object> root;
        try {
            root = Toml.parse(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the configuration " + file, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        try {
            known(root, TOP, "the configuration");
            Map<String, Object> extend = table(root, "extend", "the configuration");
            if (extend != null) {
                known(extend, EXTEND, "[extend]");
                if (extend.containsKey("url")) {
                    throw new IllegalArgumentException("[extend] url: not supported (nothing is fetched); save it and "
                            + "name it in path");
                }
                if (bool(extend, "useDefault", "[extend]")) {
                    DefaultRules.rules().forEach(r -> rules.put(r.id(), r));
                }
                String base = string(extend, "path", "[extend]");
                if (base != null) {
                    Path parent = file.toAbsolutePath().getParent();
                    read(parent == null ? Path.of(base) : parent.resolve(base), rules, custom, global, depth + 1);
                }
            }
            List<Map<String, Object>> targeted = new ArrayList<>();
            for (Map<String, Object> a : tables(root, "allowlist", "allowlists", "the configuration")) {
                if (a.containsKey("targetRules")) {
                    targeted.add(a);
                } else {
                    global.add(allowlist(a, "[allowlist]"));
                }
            }
            for (Map<String, Object> r : tables(root, "rules", null, "the configuration")) {
                Rule rule = rule(r);
                if (!bool(r, "skipReport", "rule " + rule.id())) {
                    rules.put(rule.id(), rule);
                    custom.add(rule.id());
                }
            }
            for (Map<String, Object> a : targeted) {
                Allowlist list = allowlist(a, "[allowlist]");
                for (String id : strings(a, "targetRules", "[allowlist]")) {
                    Rule r = rules.get(id);
                    if (r == null) {
                        throw new IllegalArgumentException("[allowlist] targetRules: no rule '" + id + "'");
                    }
                    List<Allowlist> lists = new ArrayList<>(r.allowlists());
                    lists.add(list);
                    rules.put(id, new Rule(r.id(), r.regex(), r.secretGroup(), r.entropy(), r.keywords(), r.path(),
                            lists, r.placeholders(), r.multiline(), r.check()));
                }
            }
            if (extend != null) {
                for (String id : strings(extend, "disabledRules", "[extend]")) {
                    rules.remove(id);
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static Rule rule(Map<String, Object> r) {
        Object rawId = r.get("id");
        if (!(rawId instanceof String id) || id.isBlank()) {
            throw new IllegalArgumentException("[[rules]] id: required, a string" + (r.containsKey("regex")
                    ? " (the rule whose regex is " + r.get("regex") + ")"
                    : ""));
        }
        String where = "rule " + id;
        known(r, RULE, where);
        String regex = string(r, "regex", where);
        if (regex == null) {
            throw new IllegalArgumentException(where + ": regex: required (rules that match only a path are not "
                    + "supported)");
        }
        Pattern pattern = compile(regex, where + ": regex");
        String path = string(r, "path", where);
        List<Allowlist> allowlists = new ArrayList<>();
        for (Map<String, Object> a : tables(r, "allowlist", "allowlists", where)) {
            allowlists.add(allowlist(a, where + ": allowlist"));
        }
        double entropy = number(r, "entropy", where);
        long group = (long) number(r, "secretGroup", where);
        if (group > pattern.groupCount()) {
            throw new IllegalArgumentException(where + ": secretGroup " + group + " is not a group of its regex, "
                    + "which has " + pattern.groupCount());
        }
        boolean multiline = regex.contains("\\n") || regex.contains("(?s") || regex.contains("\\s\\S");
        return new Rule(id, pattern, (int) group, entropy, strings(r, "keywords", where), path == null
                ? null
                : compile(path, where + ": path"), allowlists, false, multiline, Check.NONE);
    }

    private static Allowlist allowlist(Map<String, Object> a, String where) {
        known(a, ALLOWLIST, where);
        String condition = string(a, "condition", where);
        if (condition != null && !condition.equalsIgnoreCase("OR")) {
            throw new IllegalArgumentException(where + ": condition: only OR is supported, got " + condition);
        }
        String target = string(a, "regexTarget", where);
        Allowlist.Target t = switch (target == null ? "secret" : target.toLowerCase(Locale.ROOT)) {
            case "secret" -> Allowlist.Target.SECRET;
            case "match" -> Allowlist.Target.MATCH;
            case "line" -> Allowlist.Target.LINE;
            default -> throw new IllegalArgumentException(where + ": regexTarget: one of secret, match, line, got "
                    + target);
        };
        List<Pattern> regexes = new ArrayList<>();
        for (String s : strings(a, "regexes", where)) {
            regexes.add(compile(s, where + ": regexes"));
        }
        List<Pattern> paths = new ArrayList<>();
        for (String s : strings(a, "paths", where)) {
            paths.add(compile(s, where + ": paths"));
        }
        strings(a, "commits", where); // checked for type; history is not what a file scan reads
        return new Allowlist(regexes, t, strings(a, "stopwords", where), paths);
    }

    private static Pattern compile(String regex, String where) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(where + ": does not compile as RE2: " + e.getDescription(), e);
        }
    }

    private static void known(Map<String, Object> table, Set<String> keys, String where) {
        for (String key : table.keySet()) {
            if (!keys.contains(key)) {
                throw new IllegalArgumentException(where + ": unknown key '" + key + "'; known: " + keys.stream()
                        .sorted().toList());
            }
        }
    }

    private static @Nullable String string(Map<String, Object> t, String key, String where) {
        Object v = t.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new IllegalArgumentException(where + ": " + key + ": must be a string");
    }

    private static boolean bool(Map<String, Object> t, String key, String where) {
        Object v = t.get(key);
        if (v == null || v instanceof Boolean) {
            return v != null && (Boolean) v;
        }
        throw new IllegalArgumentException(where + ": " + key + ": must be true or false");
    }

    private static double number(Map<String, Object> t, String key, String where) {
        Object v = t.getOrDefault(key, 0L);
        if (v instanceof Number n && n.doubleValue() >= 0) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException(where + ": " + key + ": must be a number, 0 or more");
    }

    private static List<String> strings(Map<String, Object> t, String key, String where) {
        Object v = t.getOrDefault(key, List.of());
        if (v instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw new IllegalArgumentException(where + ": " + key + ": must be an array of strings");
    }

    @SuppressWarnings("unchecked")
    private static @Nullable Map<String, Object> table(Map<String, Object> t, String key, String where) {
        Object v = t.get(key);
        if (v == null || v instanceof Map<?, ?>) {
            return (Map<String, Object>) v;
        }
        throw new IllegalArgumentException(where + ": " + key + ": must be a table");
    }

    /** The tables under {@code single} (one table) and {@code many} (an array of tables), in that order. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> tables(Map<String, Object> t, String single, @Nullable String many,
            String where) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String key : many == null ? List.of(single) : List.of(single, many)) {
            Object v = t.get(key);
            if (v == null) {
                continue;
            }
            if (v instanceof Map<?, ?> m && key.equals(single) && many != null) {
                out.add((Map<String, Object>) m);
            } else if (v instanceof List<?> list && list.stream().allMatch(Map.class::isInstance)) {
                list.forEach(m -> out.add((Map<String, Object>) m));
            } else {
                throw new IllegalArgumentException(where + ": " + key + ": must be " + (key.equals(single)
                        && many != null ? "a table" : "an array of tables"));
            }
        }
        return out;
    }
}
