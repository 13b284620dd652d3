package org.codeengine.core.internal.security.secrets;

import com.google.re2j.Matcher;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.codeengine.api.security.SecretFinding;

/**
 * Runs rules over text in time linear in its length and in the findings. One pass of the keyword automaton finds
 * where each rule's keywords sit; a rule's regex then runs only on the lines around them (a window of a line, or of
 * the lines after it for a rule that spans lines), each window once however many keywords it holds. Lines come from
 * one index of line starts, overlapping findings are dropped in one sweep over them sorted, and a long text is read in
 * chunks that overlap by more than the longest match, so no file is too large. Immutable and thread-safe.
 */
public final class ScanEngine {
    /** How far either side of a keyword a one-line rule reads on a long line, in characters. */
    static final int LINE_REACH = 2048;
    /** How far past a keyword's line a rule that spans lines reads, in characters. */
    static final int MULTILINE_REACH = 32 * 1024;
    /** How much of the text each chunk carries into the next: more than any match and its context, in characters. */
    static final int OVERLAP = 2 * MULTILINE_REACH + 2 * LINE_REACH;
    /** The characters read per chunk beyond the carried ones. */
    static final int CHUNK = 1 << 20;

    /** A comment that lets the findings on its line pass, as gitleaks reads it. */
    static final String INLINE_ALLOW = "gitleaks:allow";

    /** The rule for {@code key = "high-entropy value"} assignments, which also lets stop words pass. */
    static final String GENERIC = "generic-api-key";

    /** A secret at {@code [start, end)} of the text given. */
    record Hit(Rule rule, int order, int start, int end) {}

    private final Rule[] rules;
    private final int[] keywordLength;
    private final int[][] rulesOfKeyword;
    private final int[] unkeyed;
    private final KeywordAutomaton automaton;
    private final List<Allowlist> global;
    private final boolean globalTargetsLine;

    /**
     * @param rules the rules, the more specific first (a match another one's contains, or at the same place, is
     *     dropped in favour of the earlier)
     * @param global what every rule lets pass
     */
    public ScanEngine(List<Rule> rules, List<Allowlist> global) {
        this.rules = rules.toArray(Rule[]::new);
        this.global = List.copyOf(global);
        this.globalTargetsLine = Allowlist.anyTargetsLine(global);
        List<String> keywords = new ArrayList<>();
        List<List<Integer>> owners = new ArrayList<>();
        List<Integer> none = new ArrayList<>();
        for (int r = 0; r < this.rules.length; r++) {
            if (this.rules[r].keywords().isEmpty()) {
                none.add(r);
            }
            for (String k : this.rules[r].keywords()) {
                int at = keywords.indexOf(k);
                if (at < 0) {
                    at = keywords.size();
                    keywords.add(k);
                    owners.add(new ArrayList<>());
                }
                owners.get(at).add(r);
            }
        }
        this.automaton = new KeywordAutomaton(keywords);
        this.keywordLength = keywords.stream().mapToInt(String::length).toArray();
        this.rulesOfKeyword = owners.stream().map(o -> o.stream().mapToInt(Integer::intValue).toArray()).toArray(
                int[][]::new);
        this.unkeyed = none.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@return the rules, in their order} */
    public List<Rule> rules() {
        return List.of(rules);
    }

    /**
     * Scans a text held in memory.
     *
     * @param text the text
     * @param source its path or name, for the findings and the rules' path conditions
     * @return the findings, in order of position
     */
    public List<SecretFinding> scan(String text, String source) {
        LineIndex lines = new LineIndex(text, text.length());
        List<SecretFinding> out = new ArrayList<>();
        for (Hit h : hits(text, text.length(), lines, source, 0, text.length())) {
            int line = lines.lineOf(h.start());
            out.add(finding(h, text, source, line + 1, h.start() - lines.start(line) + 1));
        }
        return out;
    }

    /**
     * {@return the text with each secret replaced by {@code [REDACTED:<rule id>]}}
     *
     * @param text text that may hold secrets
     */
    public String redact(String text) {
        List<Hit> hits = hits(text, text.length(), new LineIndex(text, text.length()), "", 0, text.length());
        if (hits.isEmpty()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (Hit hit : hits) {
            out.append(text, at, hit.start()).append("[REDACTED:").append(hit.rule().id()).append(']');
            at = hit.end();
        }
        return out.append(text, at, text.length()).toString();
    }

    /**
     * Scans a stream chunk by chunk, holding at most {@link #CHUNK} + 2 × {@link #OVERLAP} characters.
     *
     * @param in the text
     * @param source its path, for the findings and the rules' path conditions
     * @return the findings, in order of position
     * @throws IOException if reading fails (a malformed byte sequence included)
     */
    public List<SecretFinding> scan(Reader in, String source) throws IOException {
        char[] buf = new char[CHUNK + 2 * OVERLAP];
        int filled = 0;
        long linesBefore = 0; // newlines before buf[0]
        long base = 0; // offset of buf[0] in the stream
        long lineStartBefore = 0; // offset of the start of the line holding buf[0]
        int reportFrom = 0;
        List<SecretFinding> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (true) {
            int n = 0;
            while (filled < buf.length && (n = in.read(buf, filled, buf.length - filled)) >= 0) {
                filled += n;
            }
            boolean eof = n < 0;
            int limit = eof ? filled : filled - OVERLAP;
            String view = new String(buf, 0, filled); // RE2/J reads a String fastest
            LineIndex lines = new LineIndex(view, filled);
            for (Hit h : hits(view, filled, lines, source, reportFrom, limit)) {
                int line = lines.lineOf(h.start());
                long lineStart = line == 0 ? lineStartBefore : base + lines.start(line);
                SecretFinding f = finding(h, view, source, Math.toIntExact(linesBefore + line + 1), Math.toIntExact(
                        base + h.start() - lineStart + 1));
                if (seen.add(f.ruleId() + ':' + f.line() + ':' + f.column())) {
                    out.add(f);
                }
            }
            if (eof) {
                return out;
            }
            int keepFrom = limit - OVERLAP; // the next chunk keeps context before what it reports
            int keepLine = lines.lineOf(keepFrom);
            linesBefore += keepLine;
            lineStartBefore = keepLine == 0 ? lineStartBefore : base + lines.start(keepLine);
            System.arraycopy(buf, keepFrom, buf, 0, filled - keepFrom);
            base += keepFrom;
            filled -= keepFrom;
            reportFrom = limit - keepFrom;
        }
    }

    private SecretFinding finding(Hit h, String text, String source, int line, int column) {
        return new SecretFinding(h.rule().id(), source, line, column, redacted(text, h.start(), h.end()));
    }

    /** The first four characters of the secret, then its length: never the secret itself. */
    static String redacted(CharSequence text, int start, int end) {
        return text.subSequence(start, Math.min(end, start + 4)) + "…(" + (end - start) + " chars)";
    }

    /** The rules' matches in {@code text[0, length)} that start in {@code [reportFrom, reportTo)}. */
    private List<Hit> hits(String text, int length, LineIndex lines, String path, int reportFrom,
            int reportTo) {
        if (!path.isEmpty() && Allowlist.anyAllowsPath(global, path)) {
            return List.of();
        }
        boolean[] active = new boolean[rules.length];
        for (int r = 0; r < rules.length; r++) {
            active[r] = path.isEmpty() ? rules[r].path() == null : rules[r].appliesTo(path);
        }
        int[] pendingStart = new int[rules.length];
        int[] pendingEnd = new int[rules.length];
        Arrays.fill(pendingEnd, -1);
        List<Hit> found = new ArrayList<>();
        boolean inlineAllow = text.contains(INLINE_ALLOW);
        automaton.find(text, 0, length, (keyword, end) -> {
            int at = end - keywordLength[keyword];
            int line = lines.lineOf(at);
            for (int r : rulesOfKeyword[keyword]) {
                if (!active[r] || rules[r].id().equals(GENERIC) && rules[r].placeholders() && !assignsAValue(text,
                        end, lines.end(line))) {
                    continue;
                }
                int from;
                int to;
                if (rules[r].multiline()) {
                    from = lines.start(line);
                    to = Math.min(length, lines.end(line) + MULTILINE_REACH);
                } else {
                    from = Math.max(lines.start(line), at - LINE_REACH);
                    to = Math.min(lines.end(line), end + LINE_REACH);
                }
                if (pendingEnd[r] >= from) { // windows come nearly in order: this one joins the pending one
                    pendingStart[r] = Math.min(pendingStart[r], from);
                    pendingEnd[r] = Math.max(pendingEnd[r], to);
                } else {
                    if (pendingEnd[r] >= 0) {
                        run(r, text, pendingStart[r], pendingEnd[r], lines, reportFrom, reportTo, inlineAllow, found);
                    }
                    pendingStart[r] = from;
                    pendingEnd[r] = to;
                }
            }
        });
        for (int r = 0; r < rules.length; r++) {
            if (pendingEnd[r] >= 0) {
                run(r, text, pendingStart[r], pendingEnd[r], lines, reportFrom, reportTo, inlineAllow, found);
            }
        }
        for (int r : unkeyed) {
            if (active[r]) {
                run(r, text, 0, length, lines, reportFrom, reportTo, inlineAllow, found);
            }
        }
        return outermost(found);
    }

    /** Runs rule {@code r} on {@code text[from, to)}, adding what it finds and nothing lets pass. */
    private void run(int r, String text, int from, int to, LineIndex lines, int reportFrom, int reportTo,
            boolean inlineAllow, List<Hit> found) {
        Rule rule = rules[r];
        Matcher m = rule.regex().matcher(text.substring(from, to));
        while (m.find()) {
            int group = secretGroup(rule, m);
            int start = from + m.start(group);
            int end = from + m.end(group);
            if (end <= start || start < reportFrom || start >= reportTo) {
                continue;
            }
            String secret = m.group(group);
            if (rule.entropy() > 0 && Entropy.of(secret) < rule.entropy()) {
                continue;
            }
            if (Placeholders.isDocExample(secret) || !rule.check().passes(secret)
                    || rule.placeholders() && (rule.check() == Check.NONE && Placeholders
                            .isPlaceholder(secret)
                            || rule.id().equals(GENERIC) && Placeholders.isGenericNoise(secret))) {
                continue;
            }
            int line = lines.lineOf(start);
            String lineText = inlineAllow || globalTargetsLine || Allowlist.anyTargetsLine(rule.allowlists())
                    ? text.substring(lines.start(line), lines.end(line))
                    : "";
            if (inlineAllow && lineText.contains(INLINE_ALLOW)) {
                continue;
            }
            String match = m.group();
            if (Allowlist.anyAllows(rule.allowlists(), secret, match, lineText) || Allowlist.anyAllows(global, secret,
                    match, lineText)) {
                continue;
            }
            found.add(new Hit(rule, r, start, end));
        }
    }

    /**
     * Whether a keyword ending at {@code at} names a value assigned on its line: up to 20 more name characters, an
     * optional quote, an operator ({@code =}, {@code :}, {@code :=}, {@code =>}) between spaces, an optional quote, and
     * at least 16 characters a secret is made of. The generic rule's regex is the slowest of all and its keywords the
     * commonest words of code, so this test in plain Java, which the regex would make anyway, keeps it off the lines
     * where a keyword is only a word ({@code token.get()}, {@code secret;}).
     */
    static boolean assignsAValue(String text, int at, int lineEnd) {
        int i = at;
        int limit = Math.min(lineEnd, at + 20);
        while (i < limit && isNameChar(text.charAt(i))) {
            i++;
        }
        i = skip(text, i, lineEnd, "\"'");
        i = skip(text, i, lineEnd, " \t");
        if (i >= lineEnd || text.charAt(i) != '=' && text.charAt(i) != ':' && text.charAt(i) != '|') {
            return false;
        }
        while (i < lineEnd && "=:|>".indexOf(text.charAt(i)) >= 0) {
            i++;
        }
        i = skip(text, i, lineEnd, " \t");
        i = skip(text, i, lineEnd, "\"'`");
        int value = i;
        while (i < lineEnd && i - value < 16 && (isNameChar(text.charAt(i)) || "+/=~".indexOf(text.charAt(i)) >= 0)) {
            i++;
        }
        return i - value >= 16;
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.'
                || c == '-';
    }

    private static int skip(String text, int i, int end, String chars) {
        int limit = Math.min(end, i + 5);
        while (i < limit && chars.indexOf(text.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    /** The group that is the secret: the rule's, else the first that matched, else the whole match. */
    private static int secretGroup(Rule rule, Matcher m) {
        if (rule.secretGroup() > 0) {
            return rule.secretGroup();
        }
        for (int g = 1; g <= m.groupCount(); g++) {
            if (m.start(g) >= 0 && m.end(g) > m.start(g)) {
                return g;
            }
        }
        return 0;
    }

    /** The hits in order of position, less those inside (or at the same place as) an earlier or longer one. */
    private static List<Hit> outermost(List<Hit> found) {
        found.sort(Comparator.comparingInt(Hit::start).thenComparing(Comparator.comparingInt(Hit::end).reversed())
                .thenComparingInt(Hit::order));
        List<Hit> out = new ArrayList<>(found.size());
        int reach = -1;
        for (Hit h : found) {
            if (h.end() > reach) {
                out.add(h);
                reach = h.end();
            }
        }
        return out;
    }
}
