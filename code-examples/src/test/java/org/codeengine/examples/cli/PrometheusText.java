package org.codeengine.examples.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of Prometheus' text exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats):
 * {@code # HELP} and {@code # TYPE} lines, samples {@code name{label="value",…} value [timestamp]} with the format's
 * escapes. It rejects what the format forbids: a bad metric or label name, a bad escape, a value that is no float, a
 * second {@code TYPE} for a family or one after its samples, a family whose samples are not in one group, a sample
 * repeated with the same labels, a label repeated in a sample, a summary or histogram sample with a suffix its type
 * does not have, a histogram without its {@code +Inf} bucket.
 */
final class PrometheusText {
    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One sample. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /** A metric family: its name, type, help and samples. */
    record Family(String name, String type, String help, List<Sample> samples) {}

    private PrometheusText() {}

    /**
     * @return the families, by name, in the order they came
     * @throws IllegalArgumentException naming the line, if the text breaks the format
     */
    static Map<String, Family> parse(String text) {
        Map<String, Family> families = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> helps = new LinkedHashMap<>();
        Set<String> seen = new java.util.HashSet<>();
        String current = null;
        Set<String> closed = new java.util.HashSet<>();
        String[] lines = text.split("\n", -1);
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the text must end with a line feed");
        }
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + " '" + line + "': ";
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                    String name = parts[2];
                    if (!METRIC.matcher(name).matches()) {
                        throw new IllegalArgumentException(where + "bad metric name");
                    }
                    String rest = parts.length == 4 ? parts[3] : "";
                    if (parts[1].equals("TYPE")) {
                        if (!TYPES.contains(rest)) {
                            throw new IllegalArgumentException(where + "unknown type");
                        }
                        if (types.containsKey(name)) {
                            throw new IllegalArgumentException(where + "a second TYPE for " + name);
                        }
                        if (families.containsKey(name)) {
                            throw new IllegalArgumentException(where + "TYPE after the samples of " + name);
                        }
                        types.put(name, rest);
                    } else {
                        if (helps.containsKey(name)) {
                            throw new IllegalArgumentException(where + "a second HELP for " + name);
                        }
                        helps.put(name, unescape(rest, false, where));
                    }
                }
                continue; // any other comment
            }
            Sample sample = sample(line, where);
            String family = familyOf(sample.name(), types);
            if (!family.equals(current)) {
                if (closed.contains(family)) {
                    throw new IllegalArgumentException(where + "the samples of " + family + " are not in one group");
                }
                if (current != null) {
                    closed.add(current);
                }
                current = family;
            }
            if (!seen.add(sample.name() + sample.labels())) {
                throw new IllegalArgumentException(where + "a sample repeated with the same labels");
            }
            String type = types.getOrDefault(family, "untyped");
            checkSuffix(sample, family, type, where);
            families.computeIfAbsent(family, f -> new Family(f, type, helps.getOrDefault(f, ""), new ArrayList<>()))
                    .samples().add(sample);
        }
        for (Family f : families.values()) {
            if (f.type().equals("histogram") && f.samples().stream().noneMatch(s -> s.name().equals(f.name()
                    + "_bucket") && "+Inf".equals(s.labels().get("le")))) {
                throw new IllegalArgumentException("histogram " + f.name() + " has no +Inf bucket");
            }
        }
        return families;
    }

    private static String familyOf(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String type = types.get(base);
                if ("summary".equals(type) || "histogram".equals(type)) {
                    return base;
                }
            }
        }
        return name;
    }

    private static void checkSuffix(Sample s, String family, String type, String where) {
        String suffix = s.name().substring(family.length());
        boolean ok = switch (type) {
            case "summary" -> suffix.equals("_sum") || suffix.equals("_count") || (suffix.isEmpty() && s.labels()
                    .containsKey("quantile"));
            case "histogram" -> suffix.equals("_sum") || suffix.equals("_count") || (suffix.equals("_bucket") && s
                    .labels().containsKey("le"));
            default -> suffix.isEmpty();
        };
        if (!ok) {
            throw new IllegalArgumentException(where + "a " + type + " sample named " + s.name());
        }
    }

    private static Sample sample(String line, String where) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!METRIC.matcher(name).matches()) {
            throw new IllegalArgumentException(where + "bad metric name");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                if (i < line.length() && line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int eq = line.indexOf('=', i);
                if (eq < 0) {
                    throw new IllegalArgumentException(where + "a label without '='");
                }
                String label = line.substring(i, eq);
                if (!LABEL.matcher(label).matches()) {
                    throw new IllegalArgumentException(where + "bad label name '" + label + "'");
                }
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException(where + "a label value must be quoted");
                }
                StringBuilder raw = new StringBuilder();
                int j = eq + 2;
                for (; j < line.length() && line.charAt(j) != '"'; j++) {
                    raw.append(line.charAt(j));
                    if (line.charAt(j) == '\\' && j + 1 < line.length()) {
                        raw.append(line.charAt(++j));
                    }
                }
                if (j >= line.length()) {
                    throw new IllegalArgumentException(where + "an unterminated label value");
                }
                if (labels.put(label, unescape(raw.toString(), true, where)) != null) {
                    throw new IllegalArgumentException(where + "label " + label + " repeated");
                }
                i = j + 1;
                if (i < line.length() && line.charAt(i) == ',') {
                    i++;
                } else if (i >= line.length() || line.charAt(i) != '}') {
                    throw new IllegalArgumentException(where + "labels must be separated by ','");
                }
            }
        }
        String[] rest = line.substring(i).strip().split(" +");
        if (i >= line.length() || line.charAt(i) != ' ' || rest.length < 1 || rest.length > 2) {
            throw new IllegalArgumentException(where + "a sample is a name, labels, a value and maybe a timestamp");
        }
        double value = value(rest[0], where);
        if (rest.length == 2) {
            try {
                Long.parseLong(rest[1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + "the timestamp is no integer");
            }
        }
        return new Sample(name, Map.copyOf(labels), value);
    }

    private static double value(String text, String where) {
        switch (text) {
            case "NaN" :
                return Double.NaN;
            case "+Inf" :
                return Double.POSITIVE_INFINITY;
            case "-Inf" :
                return Double.NEGATIVE_INFINITY;
            default :
                if (!text.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
                    throw new IllegalArgumentException(where + "the value '" + text + "' is no float");
                }
                return Double.parseDouble(text);
        }
    }

    /** Label values escape backslash, double quote and line feed; HELP texts backslash and line feed. */
    private static String unescape(String raw, boolean quote, String where) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (i + 1 >= raw.length()) {
                throw new IllegalArgumentException(where + "a lone backslash");
            }
            char next = raw.charAt(++i);
            switch (next) {
                case '\\' -> out.append('\\');
                case 'n' -> out.append('\n');
                case '"' -> {
                    if (!quote) {
                        out.append('\\');
                    }
                    out.append('"');
                }
                default -> throw new IllegalArgumentException(where + "a bad escape \\" + next);
            }
        }
        return out.toString();
    }
}
