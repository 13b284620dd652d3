package org.codeengine.core.internal.experts;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.experts.Extraction;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compiles an {@link Extraction} into a function from reply to normalised answer ({@code null} = no answer), and
 * normalises answers so that equal answers compare equal.
 */
public final class Answers {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** The key of the answer field of a JSON reply, in quotes. */
    private static final String ANSWER_KEY = "\"answer\"";
    // a number with optional sign, thousands separators (1,000 = a thousand: the English convention), decimals, an
    // exponent, and an optional "/denominator" or percent sign
    private static final Pattern NUMBER = Pattern.compile("(?<![\\w.])([-−]?)\\s?\\$?\\s?(\\d{1,3}(?:,\\d{3})+|\\d+)?"
            + "(\\.\\d+)?(?:[eE]([-+]?\\d{1,4}))?(?:\\s?/\\s?(\\d+))?(%?)");
    // a letter alone at the start ("B", "(b)", "C. because"), or after "answer", "answer is" or "option"
    private static final Pattern CHOICE = Pattern
            .compile("(?i)^\\(?([a-z])(?:\\)|[.:]|$)|(?:answer(?:\\s+(?:is|would be))?\\s*[:=]?\\s*"
                    + "|\\boption\\s+)\\(?([a-z])\\)?(?=$|[\\s).:,])");

    // markdown around a line: quotes, headings, bold, code
    private static final Pattern MARKUP = Pattern.compile("^[`*#>\\s]+|[`*\\s]+$");
    /** A number in groups of three digits set apart by spaces (1 000 000), as SI and many locales write it. */
    private static final Pattern SPACED_THOUSANDS = Pattern
            .compile("[-−]?\\$?\\d{1,3}(?:[ \u00a0\u202f]\\d{3})+(?:\\.\\d+)?");
    private static final Pattern SPACES = Pattern.compile("[ \u00a0\u202f]");
    /** A sentence that ends on a choice letter: "The answer is (C).", "Answer: B". */
    private static final Pattern CHOICE_AT_END = Pattern
            .compile("(?i:answer)(?:\\s+is)?\\s*[:=]?\\s*\\(?([A-Z])\\)?[.\\s]*$");
    // what may surround a choice letter: "(B)", "B.", "B:"
    private static final Pattern LETTER_DRESS = Pattern.compile("[()\\s.:]");

    private Answers() {}

    private static boolean lineBreak(char c) { // as \\R: line and form feeds, tabulation, return, NEL, LS, PS
        return c <= '\r' ? c >= '\n' : c == '\u0085' || c == '\u2028' || c == '\u2029';
    }

    /**
     * {@return reply to normalised answer, or null for no answer}
     *
     * @param extraction how to extract
     */
    public static Function<String, @Nullable String> compile(Extraction extraction) {
        return switch (extraction) {
            case Extraction.Numeric n -> Answers::number;
            case Extraction.Choice c -> reply -> choice(reply, c.last());
            case Extraction.Text t -> Answers::text;
            case Extraction.Auto a -> Answers::auto;
            case Extraction.JsonField f -> {
                Function<String, @Nullable String> then = compile(f.then());
                String[] path = f.path().split("\\.");
                yield reply -> {
                    String field = jsonField(reply, path);
                    return field == null ? null : then.apply(field);
                };
            }
            case Extraction.Regex r -> {
                Pattern pattern = Pattern.compile(r.pattern());
                Function<String, @Nullable String> then = compile(r.then());
                yield reply -> {
                    Matcher m = pattern.matcher(reply);
                    if (!m.find()) {
                        return null;
                    }
                    String found = m.groupCount() > 0 && m.group(1) != null ? m.group(1) : m.group();
                    return then.apply(found);
                };
            }
            case Extraction.FirstOf f -> {
                var ways = f.ways().stream().map(Answers::compile).toList();
                yield reply -> {
                    for (var way : ways) {
                        String answer = way.apply(reply);
                        if (answer != null) {
                            return answer;
                        }
                    }
                    return null;
                };
            }
            case Extraction.Custom c -> reply -> {
                String answer = c.extract().apply(reply);
                return answer == null || answer.isBlank() ? null : answer.strip();
            };
        };
    }

    /**
     * The {@code answer} field of a JSON reply if there is one, else the last {@code \boxed{}}, else the last line that
     * holds something; read as a number, a choice letter, notation or text. A last line that is a sentence is read for
     * the choice it ends on ("The answer is (C).") or its last inline mathematics ("The final answer is
     * $\frac{3}{4}$.").
     */
    static @Nullable String auto(String reply) {
        int key = find(reply, ANSWER_KEY, 0); // one search tells whether there is a field, and where to read from
        if (key >= 0) {
            String field = scanField(reply, ANSWER_KEY, key);
            if (field == null) {
                return null; // an answer field that is null or empty: the expert said it has no answer
            }
            return field.startsWith("{") || field.startsWith("[") ? field : shaped(field);
        }
        String inBox = MathAnswers.boxed(reply);
        if (inBox != null && !inBox.isBlank()) {
            return MathAnswers.canonical(inBox);
        }
        for (int end = reply.length(); end > 0;) { // the lines from the last, without reading the rest
            int start = end - 1;
            while (start >= 0 && !lineBreak(reply.charAt(start))) {
                start--;
            }
            String line = MARKUP.matcher(reply.substring(start + 1, end).strip()).replaceAll("");
            if (!line.isEmpty()) {
                Matcher letter = endsOnCapital(line) ? CHOICE_AT_END.matcher(line) : null;
                if (letter != null && letter.find()) {
                    return letter.group(1); // The answer is (C).
                }
                String math = inlineMath(line);
                if (math != null) {
                    return shaped(math); // Final Answer: The final answer is $\frac{1}{2}$. I hope it is correct.
                }
                String number = line.indexOf('\\') >= 0 ? null : number(line, true); // LaTeX: read it whole
                return number != null ? number : shaped(line);
            }
            end = start;
        }
        return null;
    }

    /** A value read as a number if it is one, a letter if it is one, else text. */
    static @Nullable String shaped(String value) {
        String v = value.strip();
        String math = inlineMath(v);
        if (math != null) {
            return shaped(math); // The final answer is $\frac{3}{4}$.
        }
        if (!v.isEmpty() && numberChars(v)) {
            // no letter for a choice or prose, no sign of notation: a number, or text
            String number = number(v);
            return number != null ? number : text(v);
        }
        String letter = v.length() <= 4 ? choice(v, 'Z') : null;
        if (letter != null && LETTER_DRESS.matcher(v).replaceAll("").length() == 1) {
            return letter;
        }
        if (!v.isEmpty() && MathAnswers.looksMathematical(v)) {
            String canonical = MathAnswers.canonical(v);
            if (canonical != null) {
                return canonical;
            }
        }
        if (SPACED_THOUSANDS.matcher(v).matches()) {
            return number(SPACES.matcher(v).replaceAll("")); // 1 000 000, as SI writes it: one number, not three
        }
        String number = number(v);
        if (number != null) {
            return number;
        }
        return text(v);
    }

    /**
     * {@return the last piece of inline mathematics ({@code $...$} or {@code \(...\)}) of a sentence with words
     *         outside it, or null} A pair of dollar signs is mathematics only where what they hold neither starts nor
     *         ends with a space, nor reads as prose, and its brackets balance: in "$5 and then $3" they are prices.
     */
    static @Nullable String inlineMath(String text) {
        if (text.indexOf('$') < 0 && text.indexOf('\\') < 0) {
            return null; // one-character searches: the JDK's fastest
        }
        int from = -1;
        int to = -1;
        int open = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char next = text.charAt(i + 1);
                if (next == '(') {
                    int close = text.indexOf("\\)", i + 2);
                    if (close > i + 2) {
                        from = i + 2;
                        to = close;
                        i = close + 1;
                    }
                } else {
                    i++; // an escaped character: \\$ is a dollar sign, not a delimiter
                }
            } else if (c == '$') {
                int start = i + 1 < text.length() && text.charAt(i + 1) == '$' ? i + 2 : i + 1;
                if (open < 0) {
                    open = start;
                    i = start - 1;
                    continue;
                }
                String inside = text.substring(open, i);
                if (!inside.isBlank() && !Character.isWhitespace(inside.charAt(0)) && !Character.isWhitespace(inside
                        .charAt(inside.length() - 1)) && !MathAnswers.PROSE.matcher(inside).find()
                        && balanced(inside)) {
                    from = open;
                    to = i;
                }
                open = -1;
                i = start - 1;
            }
        }
        if (from < 0) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((i < from - 2 || i >= to + 2) && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                return text.substring(from, to); // words stand outside it: a sentence about this value
            }
        }
        return null;
    }

    /** {@return whether the line's last letter or digit, before closing brackets and stops, is a capital letter} */
    private static boolean endsOnCapital(String line) {
        for (int i = line.length() - 1; i >= 0; i--) {
            char c = line.charAt(i);
            if (c != '.' && c != ')' && c != ' ' && c != '*') {
                return c >= 'A' && c <= 'Z';
            }
        }
        return false;
    }

    /** {@return whether as many brackets of any kind close in the text as open, never more before they open} */
    private static boolean balanced(String text) {
        int depth = 0;
        for (int i = 0; i < text.length() && depth >= 0; i++) {
            char c = text.charAt(i);
            depth += c == '(' || c == '[' || c == '{' ? 1 : c == ')' || c == ']' || c == '}' ? -1 : 0;
        }
        return depth == 0;
    }

    /** {@return whether the value holds only digits, thousands separators, points, dollar and minus signs} */
    private static boolean numberChars(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!(isDigit(c) || c == ',' || c == '.' || c == '$' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** {@return the first number of the text, canonical: integer, terminating decimal, or reduced fraction} */
    public static @Nullable String number(String text) {
        return number(text, false);
    }

    /**
     * {@return that number, canonical}
     *
     * @param last whether the last number counts (the end of a line of working: "so 3 + 4 = 7") rather than the first
     */
    static @Nullable String number(String text, boolean last) {
        String plain = plainNumber(text);
        if (plain != null) {
            return plain;
        }
        Matcher m = NUMBER.matcher(text);
        String found = null;
        while (m.find()) {
            String one = number(text, m);
            if (one != null && !last) {
                return one;
            }
            found = one == null ? found : one;
        }
        return found;
    }

    /**
     * {@return the canonical number of a text that is one plain number and nothing else, or null for any other text}:
     * an optional minus sign and dollar sign, digits (with thousands separators only in groups of three after at most
     * three digits), optional decimals. {@link #NUMBER} finds such a text whole and only it; this reads it without the
     * regular expression.
     */
    private static @Nullable String plainNumber(String text) {
        int n = text.length();
        int i = 0;
        boolean negative = n > 0 && text.charAt(0) == '-';
        i += negative ? 1 : 0;
        i += i < n && text.charAt(i) == '$' ? 1 : 0;
        int whole = i;
        while (i < n && isDigit(text.charAt(i))) {
            i++;
        }
        if (i == whole || (i < n && text.charAt(i) == ',' && i - whole > 3)) {
            return null;
        }
        while (i + 3 < n && text.charAt(i) == ',' && isDigit(text.charAt(i + 1)) && isDigit(text.charAt(i + 2))
                && isDigit(text.charAt(i + 3))) {
            i += 4;
        }
        int wholeEnd = i;
        int decimals = i;
        if (i + 1 < n && text.charAt(i) == '.') {
            decimals = ++i;
            while (i < n && isDigit(text.charAt(i))) {
                i++;
            }
        }
        return i == n && (decimals == wholeEnd || i > decimals)
                ? decimal(text, negative, whole, wholeEnd, decimals, i)
                : null;
    }

    /**
     * {@return the canonical form of the decimal number written {@code text[whole, wholeEnd)} (digits and thousands
     * separators) and {@code text[decimals, decimalsEnd)} (the digits after the point): as
     * {@link #canonical(BigDecimal, BigInteger)} writes it, without leading zeros, trailing zeros in the decimals, or the
     * sign of zero}
     */
    private static String decimal(String text, boolean negative, int whole, int wholeEnd, int decimals,
            int decimalsEnd) {
        int from = whole;
        while (from < wholeEnd && (text.charAt(from) == '0' || text.charAt(from) == ',')) {
            from++;
        }
        int to = decimalsEnd;
        while (to > decimals && text.charAt(to - 1) == '0') {
            to--;
        }
        if (from == wholeEnd && to == decimals) {
            return "0";
        }
        StringBuilder out = new StringBuilder(wholeEnd - from + to - decimals + 3);
        if (negative) {
            out.append('-');
        }
        if (from == wholeEnd) {
            out.append('0');
        }
        for (int i = from; i < wholeEnd; i++) {
            char c = text.charAt(i);
            if (c != ',') {
                out.append(c);
            }
        }
        if (to > decimals) {
            out.append('.').append(text, decimals, to);
        }
        return out.toString();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static @Nullable String number(String text, Matcher m) {
        if (m.start(2) < 0 && m.start(3) < 0) {
            return null;
        }
        if (m.start(4) < 0 && m.start(5) < 0 && m.start(6) == m.end(6)) { // a plain decimal: read in place
            int whole = Math.max(0, m.start(2));
            return decimal(text, m.start(1) != m.end(1), whole, Math.max(whole, m.end(2)), m.start(3) < 0
                    ? 0
                    : m.start(3) + 1, Math.max(0, m.end(3)));
        }
        String whole = m.group(2);
        String decimals = m.group(3);
        BigDecimal value = new BigDecimal((whole == null ? "0" : whole.replace(",", "")) + (decimals == null
                ? ""
                : decimals));
        if (!m.group(1).isEmpty()) {
            value = value.negate();
        }
        if (m.group(4) != null) {
            value = value.scaleByPowerOfTen(Integer.parseInt(m.group(4)));
        }
        BigInteger denominator = BigInteger.ONE;
        if (m.group(5) != null) {
            denominator = new BigInteger(m.group(5));
            if (denominator.signum() == 0) {
                return null;
            }
        }
        if (!m.group(6).isEmpty()) {
            denominator = denominator.multiply(BigInteger.valueOf(100));
        }
        return canonical(value, denominator);
    }

    private static String canonical(BigDecimal numerator, BigInteger denominator) {
        // as a fraction of integers: numerator = unscaled / 10^scale
        BigInteger num = numerator.unscaledValue();
        BigInteger den = denominator.multiply(BigInteger.TEN.pow(Math.max(0, numerator.scale())));
        if (numerator.scale() < 0) {
            num = num.multiply(BigInteger.TEN.pow(-numerator.scale()));
        }
        BigInteger gcd = num.gcd(den);
        if (gcd.signum() != 0) {
            num = num.divide(gcd);
            den = den.divide(gcd);
        }
        BigInteger rest = den;
        while (rest.mod(BigInteger.TWO).signum() == 0) {
            rest = rest.divide(BigInteger.TWO);
        }
        while (rest.mod(BigInteger.valueOf(5)).signum() == 0) {
            rest = rest.divide(BigInteger.valueOf(5));
        }
        if (rest.equals(BigInteger.ONE)) { // terminates: write it as a decimal
            BigDecimal d = new BigDecimal(num).divide(new BigDecimal(den)).stripTrailingZeros(); // exact: it terminates
            return d.scale() <= 0 ? d.toBigInteger().toString() : d.toPlainString();
        }
        return num + "/" + den;
    }

    /** {@return the choice letter A to {@code last} the text names, upper case} */
    static @Nullable String choice(String text, char last) {
        Matcher m = CHOICE.matcher(text.strip());
        while (m.find()) {
            char c = Character.toUpperCase((m.group(1) != null ? m.group(1) : m.group(2)).charAt(0));
            if (c >= 'A' && c <= last) {
                return String.valueOf(c);
            }
        }
        return null;
    }

    /** {@return the text trimmed, lower case, with single spaces and no trailing full stop; null when empty} */
    public static @Nullable String text(String text) {
        char[] out = text.toCharArray(); // rewritten in place: what is kept never overtakes what is read
        int length = 0;
        boolean ascii = true;
        boolean space = false; // whitespace seen since the last character kept
        for (int i = 0, n = out.length; i < n; i++) {
            char c = out[i];
            if ((c <= ' ' || c >= 128) && Character.isWhitespace(c)) {
                space = true;
                continue;
            }
            if (space && length > 0) {
                out[length++] = ' ';
            }
            space = false;
            ascii &= c < 128;
            out[length++] = c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
        }
        while (length > 0 && (out[length - 1] == '.' || out[length - 1] == ' ')) {
            length--;
        }
        if (length == 0) {
            return null;
        }
        String t = new String(out, 0, length);
        return ascii ? t : t.toLowerCase(Locale.ROOT);
    }

    /**
     * {@return the text of a field of the first JSON object in the reply, or null. A one-step path is read by a scan
     *         for the last {@code "field":} (fast, and tolerant of the malformed JSON models write); a longer path
     *         parses the object}
     */
    static @Nullable String jsonField(String reply, String[] path) {
        if (path.length == 1) {
            return scanField(reply, path[0]);
        }
        int start = reply.indexOf('{');
        int end = reply.lastIndexOf('}');
        if (start < 0 || end <= start) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(reply.substring(start, end + 1));
            for (String step : path) {
                node = node == null ? null : node.get(step);
            }
            if (node == null || node.isNull()) {
                return null;
            }
            String value = node.isContainer()
                    ? node.toString()
                    : node.isNumber()
                            ? node.decimalValue()
                                    .toPlainString()
                            : node.asString();
            return value.isBlank() ? null : value;
        } catch (JacksonException malformed) {
            return null;
        }
    }

    private static @Nullable String scanField(String reply, String field) {
        String key = '"' + field + '"';
        return scanField(reply, key, find(reply, key, 0));
    }

    /**
     * @param key the field's name in quotes
     * @param first the first place of {@code key} in the reply, or -1
     */
    private static @Nullable String scanField(String reply, String key, int first) {
        // the places of the key, found forwards (indexOf is an intrinsic, lastIndexOf of a string scans char by char)
        // and tried from the last
        int[] places = new int[4];
        int found = 0;
        for (int at = first; at >= 0; at = find(reply, key, at + 1)) {
            if (found == places.length) {
                places = Arrays.copyOf(places, found * 2);
            }
            places[found++] = at;
        }
        for (int k = found - 1; k >= 0; k--) {
            int at = places[k];
            int i = skipSpaces(reply, at + key.length());
            if (i >= reply.length() || reply.charAt(i) != ':') {
                continue;
            }
            i = skipSpaces(reply, i + 1);
            if (i >= reply.length()) {
                return null;
            }
            if (reply.charAt(i) == '"') {
                StringBuilder value = new StringBuilder();
                for (int j = i + 1; j < reply.length(); j++) {
                    char c = reply.charAt(j);
                    if (c == '\\' && j + 1 < reply.length()) {
                        char e = reply.charAt(++j);
                        if (e == 'u' && j + 4 < reply.length()) {
                            try {
                                value.append((char) Integer.parseInt(reply, j + 1, j + 5, 16));
                                j += 4;
                                continue;
                            } catch (NumberFormatException notHex) {
                                // kept as written
                            }
                        }
                        value.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            case 'b' -> '\b';
                            case 'f' -> '\f';
                            default -> e;
                        });
                    } else if (c == '"') {
                        return value.isEmpty() || value.toString().isBlank() ? null : value.toString();
                    } else {
                        value.append(c);
                    }
                }
                return null;
            }
            if (reply.charAt(i) == '{' || reply.charAt(i) == '[') {
                int end = closing(reply, i);
                if (end < 0) {
                    return null;
                }
                try {
                    return JSON.readTree(reply.substring(i, end + 1)).toString();
                } catch (JacksonException malformed) {
                    return null;
                }
            }
            int j = i;
            while (j < reply.length() && ",}\n\r".indexOf(reply.charAt(j)) < 0) {
                j++;
            }
            String value = reply.substring(i, j).strip();
            return value.isEmpty() || value.equals("null") ? null : value;
        }
        return null;
    }

    /**
     * {@return the first place of {@code needle} in {@code text} from {@code from}, or -1}: looked for at the places of
     * its first character, which for a JSON key, a quote mark, is faster than the JDK's search for a string
     */
    static int find(String text, String needle, int from) {
        char first = needle.charAt(0);
        for (int i = text.indexOf(first, from); i >= 0; i = text.indexOf(first, i + 1)) {
            if (text.startsWith(needle, i)) {
                return i;
            }
        }
        return -1;
    }

    /** {@return the index of the bracket that closes the one at {@code open}, minding strings; -1 if there is none} */
    private static int closing(String s, int open) {
        int depth = 0;
        boolean inString = false;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }
}
