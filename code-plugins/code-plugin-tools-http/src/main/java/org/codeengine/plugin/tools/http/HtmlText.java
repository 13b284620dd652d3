package org.codeengine.plugin.tools.http;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The readable text of an HTML page, in one linear pass: scripts, styles and comments dropped, block elements as line
 * breaks, entities decoded, runs of white space collapsed. Not a parser; it never backtracks, so a hostile page costs
 * time in proportion to its (capped) size.
 */
final class HtmlText {
    private static final Set<String> SKIPPED = Set.of("script", "style", "noscript", "template", "svg", "iframe",
            "object");
    private static final Set<String> BLOCKS = Set.of("p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
            "h6", "tr", "table", "section", "article", "header", "footer", "nav", "main", "pre", "blockquote", "title",
            "hr", "dt", "dd", "form", "aside", "figure", "figcaption");
    private static final Map<String, String> ENTITIES = Map.of("amp", "&", "lt", "<", "gt", ">", "quot", "\"", "apos",
            "'", "nbsp", " ", "mdash", "\u2014", "ndash", "\u2013", "hellip", "\u2026", "copy", "\u00a9");

    private HtmlText() {}

    static String extract(String html) {
        StringBuilder out = new StringBuilder(Math.min(html.length(), 1 << 16));
        String lower = html.toLowerCase(Locale.ROOT);
        int i = 0;
        int n = html.length();
        while (i < n) {
            char c = html.charAt(i);
            if (c == '<') {
                if (lower.startsWith("<!--", i)) {
                    int end = lower.indexOf("-->", i + 4);
                    i = end < 0 ? n : end + 3;
                    continue;
                }
                int nameStart = i + 1 + (i + 1 < n && html.charAt(i + 1) == '/' ? 1 : 0);
                int nameEnd = nameStart;
                while (nameEnd < n && Character.isLetterOrDigit(html.charAt(nameEnd))) {
                    nameEnd++;
                }
                if (nameEnd == nameStart && !(nameStart < n && html.charAt(nameStart) == '!')) {
                    out.append(c);
                    i++;
                    continue;
                }
                String name = lower.substring(nameStart, nameEnd);
                int close = tagEnd(html, nameEnd);
                boolean opening = nameStart == i + 1;
                if (opening && SKIPPED.contains(name) && html.charAt(close - 1) != '/' || opening && name.equals(
                        "head")) {
                    int end = lower.indexOf("</" + name, close);
                    i = end < 0 ? n : tagEnd(html, end + 2);
                    if (name.equals("head")) {
                        String title = title(html, lower, close, end < 0 ? n : end);
                        if (!title.isEmpty()) {
                            out.append(title).append('\n');
                        }
                    }
                    continue;
                }
                if (BLOCKS.contains(name)) {
                    out.append('\n');
                }
                i = close;
            } else if (c == '&') {
                int semi = html.indexOf(';', i);
                String decoded = semi > i && semi - i <= 10 ? entity(html.substring(i + 1, semi)) : null;
                if (decoded == null) {
                    out.append(c);
                    i++;
                } else {
                    out.append(decoded);
                    i = semi + 1;
                }
            } else {
                out.append(Character.isWhitespace(c) ? ' ' : c);
                i++;
            }
        }
        return tidy(out);
    }

    private static String title(String html, String lower, int from, int to) {
        int start = lower.indexOf("<title", from);
        if (start < 0 || start >= to) {
            return "";
        }
        int open = tagEnd(html, start + 6);
        int end = lower.indexOf("</title", open);
        return end < 0 || end > to ? "" : extract(html.substring(open, end)).strip();
    }

    /** {@return the index just past the '>' closing a tag, quoted attribute values skipped} */
    private static int tagEnd(String html, int from) {
        char quote = 0;
        for (int i = from; i < html.length(); i++) {
            char c = html.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return i + 1;
            }
        }
        return html.length();
    }

    private static String entity(String name) {
        if (name.startsWith("#")) {
            try {
                int code = name.length() > 1 && (name.charAt(1) == 'x' || name.charAt(1) == 'X')
                        ? Integer.parseInt(name.substring(2), 16)
                        : Integer.parseInt(name.substring(1));
                return Character.isValidCodePoint(code) && code != 0 ? Character.toString(code) : "\uFFFD";
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return ENTITIES.get(name.toLowerCase(Locale.ROOT));
    }

    private static String tidy(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length());
        int newlines = 0;
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                space = false;
                if (newlines < 1 && !out.isEmpty()) {
                    trimTrailingSpace(out);
                    out.append('\n');
                }
                newlines++;
            } else if (Character.isWhitespace(c) || c == '\u00a0') {
                space = true;
            } else {
                if (space && newlines == 0 && !out.isEmpty()) {
                    out.append(' ');
                }
                space = false;
                newlines = 0;
                out.append(c);
            }
        }
        return out.toString().strip();
    }

    private static void trimTrailingSpace(StringBuilder out) {
        while (!out.isEmpty() && out.charAt(out.length() - 1) == ' ') {
            out.setLength(out.length() - 1);
        }
    }
}
