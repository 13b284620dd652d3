package org.codeengine.core.internal.security.secrets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The TOML a gitleaks configuration is written in, read into maps, lists, strings, longs, doubles and booleans:
 * tables ({@code [a.b]}), arrays of tables ({@code [[rules]]}, {@code [[rules.allowlists]]}, which belong to the last
 * element of their parent array), bare, quoted and dotted keys, the four kinds of string (basic, literal, and their
 * multi-line forms, with TOML's escapes), numbers, booleans, arrays over several lines with comments and trailing
 * commas, and inline tables. Dates are not read (gitleaks has none). Bad input is refused with its line number.
 */
final class Toml {
    private final String src;
    private int pos;
    private int line = 1;

    private Toml(String src) {
        this.src = src;
    }

    /**
     * {@return its root table}
     *
     * @param text TOML
     * @throws IllegalArgumentException naming the line, if the text is not TOML this reader knows
     */
    static Map<String, Object> parse(String text) {
        return new Toml(text).document();
    }

    private Map<String, Object> document() {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> current = root;
        while (true) {
            skipBlank(true);
            if (pos >= src.length()) {
                return root;
            }
            char c = src.charAt(pos);
            if (c == '[') {
                boolean array = src.startsWith("[[", pos);
                pos += array ? 2 : 1;
                List<String> path = keyPath();
                skipSpaces();
                expect(array ? "]]" : "]");
                current = array ? appendTable(root, path) : table(root, path);
            } else {
                List<String> path = keyPath();
                skipSpaces();
                expect("=");
                skipSpaces();
                Object value = value();
                Map<String, Object> target = table(current, path.subList(0, path.size() - 1));
                String key = path.getLast();
                if (target.containsKey(key)) {
                    throw error("key '" + key + "' is defined twice");
                }
                target.put(key, value);
            }
            skipSpaces();
            if (pos < src.length() && src.charAt(pos) == '#') {
                skipComment();
            }
            if (pos < src.length() && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') {
                throw error("expected the end of the line, found '" + src.charAt(pos) + "'");
            }
        }
    }

    /** The table at {@code path} under {@code root}, made where missing; a path through an array ends in its last. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> table(Map<String, Object> root, List<String> path) {
        Map<String, Object> t = root;
        for (String key : path) {
            Object next = t.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
            if (next instanceof List<?> list && !list.isEmpty() && list.getLast() instanceof Map<?, ?>) {
                next = list.getLast();
            }
            if (!(next instanceof Map<?, ?>)) {
                throw error("'" + key + "' is a value, not a table");
            }
            t = (Map<String, Object>) next;
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> appendTable(Map<String, Object> root, List<String> path) {
        Map<String, Object> parent = table(root, path.subList(0, path.size() - 1));
        Object list = parent.computeIfAbsent(path.getLast(), k -> new ArrayList<Object>());
        if (!(list instanceof List<?>)) {
            throw error("'" + path.getLast() + "' is not an array of tables");
        }
        Map<String, Object> t = new LinkedHashMap<>();
        ((List<Object>) list).add(t);
        return t;
    }

    private List<String> keyPath() {
        List<String> path = new ArrayList<>();
        while (true) {
            skipSpaces();
            path.add(key());
            skipSpaces();
            if (pos < src.length() && src.charAt(pos) == '.') {
                pos++;
            } else {
                return path;
            }
        }
    }

    private String key() {
        if (pos >= src.length()) {
            throw error("expected a key");
        }
        char c = src.charAt(pos);
        if (c == '"' || c == '\'') {
            return (String) value();
        }
        int start = pos;
        while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_' || src
                .charAt(pos) == '-')) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a key, found '" + c + "'");
        }
        return src.substring(start, pos);
    }

    private Object value() {
        if (pos >= src.length()) {
            throw error("expected a value");
        }
        char c = src.charAt(pos);
        if (src.startsWith("\"\"\"", pos)) {
            pos += 3;
            return string("\"\"\"", true, true);
        }
        if (src.startsWith("'''", pos)) {
            pos += 3;
            return string("'''", false, true);
        }
        if (c == '"') {
            pos++;
            return string("\"", true, false);
        }
        if (c == '\'') {
            pos++;
            return string("'", false, false);
        }
        if (c == '[') {
            pos++;
            List<Object> list = new ArrayList<>();
            while (true) {
                skipBlank(true);
                if (pos < src.length() && src.charAt(pos) == ']') {
                    pos++;
                    return list;
                }
                list.add(value());
                skipBlank(true);
                if (pos < src.length() && src.charAt(pos) == ',') {
                    pos++;
                } else {
                    skipBlank(true);
                    expect("]");
                    return list;
                }
            }
        }
        if (c == '{') {
            pos++;
            Map<String, Object> t = new LinkedHashMap<>();
            skipSpaces();
            if (pos < src.length() && src.charAt(pos) == '}') {
                pos++;
                return t;
            }
            while (true) {
                List<String> path = keyPath();
                skipSpaces();
                expect("=");
                skipSpaces();
                table(t, path.subList(0, path.size() - 1)).put(path.getLast(), value());
                skipSpaces();
                if (pos < src.length() && src.charAt(pos) == ',') {
                    pos++;
                } else {
                    expect("}");
                    return t;
                }
            }
        }
        int start = pos;
        while (pos < src.length() && ",]}#\n\r".indexOf(src.charAt(pos)) < 0) {
            pos++;
        }
        String word = src.substring(start, pos).strip().replace("_", "");
        switch (word) {
            case "true" -> {
                return true;
            }
            case "false" -> {
                return false;
            }
            default -> {
                try {
                    return word.matches("[+-]?[0-9]+")
                            ? (Object) Long.parseLong(word)
                            : (Object) Double
                                    .parseDouble(word);
                } catch (NumberFormatException e) {
                    throw error("not a value: '" + word + "'");
                }
            }
        }
    }

    private String string(String quote, boolean escapes, boolean multiline) {
        if (multiline && pos < src.length() && src.charAt(pos) == '\n') {
            pos++; // a newline right after the opening quotes is not part of the string
            line++;
        } else if (multiline && src.startsWith("\r\n", pos)) {
            pos += 2;
            line++;
        }
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= src.length()) {
                throw error("a string is not closed");
            }
            if (src.startsWith(quote, pos)) {
                int run = 0;
                while (multiline && pos + run < src.length() && src.charAt(pos + run) == quote.charAt(0)) {
                    run++;
                }
                int extra = multiline ? Math.min(run - 3, 2) : 0; // up to two quotes before the closing three are content
                out.append(String.valueOf(quote.charAt(0)).repeat(extra));
                pos += extra + quote.length();
                return out.toString();
            }
            char c = src.charAt(pos++);
            if (c == '\n') {
                if (!multiline) {
                    throw error("a string is not closed on its line");
                }
                line++;
            }
            if (c != '\\' || !escapes) {
                out.append(c);
                continue;
            }
            if (pos >= src.length()) {
                throw error("a string ends in a backslash");
            }
            char e = src.charAt(pos++);
            switch (e) {
                case 'b' -> out.append('\b');
                case 't' -> out.append('\t');
                case 'n' -> out.append('\n');
                case 'f' -> out.append('\f');
                case 'r' -> out.append('\r');
                case 'e' -> out.append('\u001b');
                case '"' -> out.append('"');
                case '\\' -> out.append('\\');
                case 'u', 'U' -> {
                    int n = e == 'u' ? 4 : 8;
                    if (pos + n > src.length()) {
                        throw error("a \\" + e + " escape needs " + n + " hex digits");
                    }
                    try {
                        out.appendCodePoint(Integer.parseInt(src.substring(pos, pos + n), 16));
                    } catch (IllegalArgumentException x) {
                        throw error("a \\" + e + " escape needs " + n + " hex digits");
                    }
                    pos += n;
                }
                default -> {
                    if (multiline && (e == '\n' || e == ' ' || e == '\t' || e == '\r')) {
                        pos--; // a line-ending backslash trims the whitespace after it
                        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                            line += src.charAt(pos) == '\n' ? 1 : 0;
                            pos++;
                        }
                    } else {
                        throw error("unknown escape \\" + e + " (in a regex, write \\\\" + e
                                + " or use a 'literal string')");
                    }
                }
            }
        }
    }

    private void skipSpaces() {
        while (pos < src.length() && (src.charAt(pos) == ' ' || src.charAt(pos) == '\t')) {
            pos++;
        }
    }

    /** Skips spaces, newlines and (if {@code comments}) comments. */
    private void skipBlank(boolean comments) {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == '\n') {
                line++;
                pos++;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                pos++;
            } else if (c == '#' && comments) {
                skipComment();
            } else {
                return;
            }
        }
    }

    private void skipComment() {
        while (pos < src.length() && src.charAt(pos) != '\n') {
            pos++;
        }
    }

    private void expect(String s) {
        if (!src.startsWith(s, pos)) {
            throw error("expected '" + s + "'" + (pos < src.length() ? ", found '" + src.charAt(pos) + "'" : ""));
        }
        pos += s.length();
    }

    private IllegalArgumentException error(String message) {
        return new IllegalArgumentException("line " + line + ": " + message);
    }
}
