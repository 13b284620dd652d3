package org.codeengine.core.internal.experts;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Canonical forms of answers in the mathematical notation models write, so that equal answers compare equal:
 * {@code \boxed{}}, {@code $...$}, {@code \frac}/{@code \dfrac}/{@code a/b}/decimals (as {@link Answers#number}),
 * {@code \sqrt}, {@code \pi}, degrees, percentages, units in {@code \text{}}, {@code \left(}/{@code \right)}, intervals,
 * tuples and sets (sets in sorted order), {@code x = 5} as {@code 5}, thousands separators, trailing {@code .0}, mixed
 * numbers ({@code 3\frac{1}{2}}), relations and set signs ({@code \le}, {@code <=} and {@code ≤} alike; {@code \pm},
 * {@code \cup}, {@code \emptyset}), roots of any degree, and a text answer in notation ({@code \text{Monday}}) as text.
 * A list of numbers ({@code 2, 3}), a relation ({@code x ≤ 3}) or an expression in a one-letter variable
 * ({@code (x+1)/2}) is read whole, never as its first number. A constant with a root, {@code \pi} or a power is
 * written as its value ({@link Constant}), so that its forms compare equal.
 * Anything the rules do not recognise is left as the expression it is, spaces removed: two answers are merged only when
 * their written forms agree after these rewrites, or, for constants, their values agree to 12 significant digits; never
 * by guessing.
 */
final class MathAnswers {
    private static final Pattern PLAIN_NUMBER = Pattern.compile(
            "[-−+]?\\$?(?:\\d{1,3}(?:,\\d{3})+|\\d+)?(?:\\.\\d+)?(?:/\\d+)?%?");
    // a number, then a unit: after a space, or of two letters or more (5 cm, 5cm, 5 m; not 5x)
    private static final Pattern UNIT = Pattern.compile(
            "([-−+]?\\$?[\\d.,/]+%?)(?:\\s+[a-zA-Z]|[a-zA-Z]{2})[a-zA-Z. ]*(?:\\^\\s*\\{?[23]\\}?)?\\s*");
    // a whole number and a proper fraction of integers written after it: 3\frac{1}{2} is 7/2
    private static final Pattern MIXED = Pattern
            .compile("([-+]?)(\\d+)\\s*\\\\frac\\s*(?:\\{(\\d+)\\}|(\\d))\\s*(?:\\{(\\d+)\\}|(\\d))");
    // relations and set signs written as commands or as ASCII pairs, each to its one character
    private static final Pattern RELATION = Pattern.compile(
            "\\\\(leqslant|leq|le|geqslant|geq|ge|neq|ne|lt|gt|pm|mp|cup|cap|emptyset|varnothing)(?![a-zA-Z])|<=|>=|!=");
    // a word that joins two equations: x = 2 or x = 3
    private static final Pattern CONNECTIVE = Pattern.compile("(?<![a-zA-Z])(?:or|and)(?![a-zA-Z])");
    // a word or a few: a text answer in notation (\text{Monday}), compared as text
    private static final Pattern WORDS = Pattern.compile("[a-zA-Z]{3,}(?: [a-zA-Z]+)*");
    // numbers listed with a comma and a space: 2, 3 is a list, never its first number
    private static final Pattern LIST = Pattern.compile("[-+]?\\d+(?:\\.\\d+)?(?:,\\s+[-+]?\\d+(?:\\.\\d+)?)+");
    // a one-letter variable and a sign between it and a number, a bracket or another one-letter variable, in a value
    // with a digit: (x+1)/2, 3-y, x+y+1; not a choice label, (B) 12, nor a word, T-shirt 15
    private static final Pattern VARIABLE = Pattern.compile(
            "(?<![a-zA-Z])[a-zA-Z]\\s*[-+*^]\\s*(?:[\\d(]|[a-zA-Z](?![a-zA-Z]))"
                    + "|(?:[\\d)]|(?<![a-zA-Z])[a-zA-Z])\\s*[-+*^]\\s*[a-zA-Z](?![a-zA-Z])");
    // brackets around a number, a name or a call, where removing them cannot join it to what stands before:
    // (2) = 2, (-1)/2 = -1/2, (sqrt(3))/2 = sqrt(3)/2; sqrt(3) and x(2) stay
    private static final Pattern ATOM = Pattern.compile(
            "(?<![\\w)\\]])\\((-?\\d+(?:\\.\\d+)?|[a-zA-Z]+(?:\\([^()]*\\))?)\\)(?!\\()");
    // a coefficient and one variable: 5x, 2y (not 5 apples, not 3rd)
    private static final Pattern TERM = Pattern.compile("\\d[a-zA-Z](?![a-zA-Z])");
    // three words in a row: prose
    static final Pattern PROSE = Pattern.compile("[a-zA-Z]{2,}\\s+[a-zA-Z]{2,}\\s+[a-zA-Z]{2,}");
    private static final Pattern LEFT_SIDE = Pattern.compile("^[a-zA-Z](?:_\\{?\\w+\\}?)?\\s*(?:=|\\\\in\\b)\\s*");
    private static final Pattern DECIMAL = Pattern.compile("(?<![\\d.])(\\d+)\\.(\\d*?)0+(?![\\d.])");
    private static final Pattern STYLE = Pattern.compile(
            "\\\\(?:text|textnormal|textrm|textit|textsf|texttt|mathrm|mathit|mathsf|mathtt|textbf|mathbf|mbox|hbox|emph|operatorname)\\s*\\{");
    private static final String[][] SPELLINGS = {{"\\left", ""}, {"\\right", ""}, {"\\displaystyle", ""}, {"\\dfrac",
            "\\frac"}, {"\\tfrac", "\\frac"}, {"^{\\circ}", ""}, {"^\\circ", ""}, {"\\circ", ""}, {"\\degree", ""},
            {"°",
                    ""},
            {"\\%", "%"}, {"\\$", "$"}, {"{,}", ","}, {"\\!", ""}, {"\\,", ""}, {"\\;", ""}, {"\\:", ""},
            {"\\ ", " "}, {"~", " "}, {"\\pi", "pi"}, {"π", "pi"}, {"\\infty", "inf"}, {"∞", "inf"}, {"\\cdot", "*"},
            {"\\times", "*"}, {"×", "*"}, {"√", "\\sqrt"}, {"\\{", "\u0001"}, {"\\}", "\u0002"}, {"\\lbrace", "\u0001"},
            {"\\rbrace", "\u0002"}, {"−", "-"}, {"\\dbinom", "\\binom"}, {"\\tbinom", "\\binom"}};

    private MathAnswers() {}

    /** {@return whether the value is written in notation that {@link #canonical} reads better than a number scan} */
    static boolean looksMathematical(String value) {
        if (tooDeep(value)) {
            return false; // read by the number scan or as text
        }
        if (value.indexOf('\\') < 0 && PROSE.matcher(value).find()) {
            return false; // a sentence with numbers in it, not notation
        }
        boolean digit = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '^' || c == '{' || c == '√' || c == 'π' || c == '°' || c == '∞' || c == '='
                    || c == '<' || c == '>' || c == '≤' || c == '≥' || c == '≠' || c == '±' || c == '∓' || c == '∪'
                    || c == '∩' || c == '∅') {
                return true;
            }
            digit |= c >= '0' && c <= '9';
        }
        if (digit && (LIST.matcher(value).matches() || VARIABLE.matcher(value).find())) {
            return true;
        }
        char first = value.charAt(0);
        char last = value.charAt(value.length() - 1);
        return (first == '(' || first == '[') && (last == ')' || last == ']') || TERM.matcher(value).find();
    }

    /** {@return the canonical form of a mathematical answer, or null when nothing is left of it} */
    static @Nullable String canonical(String value) {
        if (tooDeep(value)) {
            return null;
        }
        String inBox = boxed(value);
        String s = inBox == null ? value : inBox;
        for (String[] spelling : SPELLINGS) {
            s = s.replace(spelling[0], spelling[1]);
        }
        s = s.replace("\\(", "").replace("\\)", "").replace("\\[", "").replace("\\]", "").replace("$$", "");
        if (s.startsWith("$") && s.endsWith("$") && s.length() > 1) {
            s = s.substring(1, s.length() - 1);
        }
        s = RELATION.matcher(s).replaceAll(MathAnswers::relation);
        s = unstyled(s).strip();
        while (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1).strip(); // a sentence's full stop: \frac{1}{2}.
        }
        if (WORDS.matcher(s).matches()) {
            return Answers.text(s); // \text{Monday} is the word Monday
        }
        Matcher mixed = MIXED.matcher(s);
        if (mixed.matches()) {
            String number = mixedNumber(mixed.group(1), mixed.group(2), mixed.group(3) != null
                    ? mixed.group(3)
                    : mixed.group(4), mixed.group(5) != null ? mixed.group(5) : mixed.group(6));
            if (number != null) {
                return number;
            }
        }
        if (s.startsWith("{") && matching(s, 0) == s.length() - 1 && split(s.substring(1, s.length() - 1))
                .size() > 1) {
            s = '\u0001' + s.substring(1, s.length() - 1) + '\u0002'; // {1, 2} written without escapes: a set
        }
        Matcher left = LEFT_SIDE.matcher(s);
        if (left.find() && s.indexOf('=', left.end()) < 0) {
            s = s.substring(left.end());
        } else if (s.lastIndexOf('=') >= 0 && s.indexOf(',') < 0 && !twoEquations(s)) {
            s = s.substring(s.lastIndexOf('=') + 1); // working that ends in its result: 5*50+75*15=250+1125=1375
        }
        s = s.strip();
        Matcher unit = UNIT.matcher(s);
        if (unit.matches() && !unit.group().contains("pi") && !unit.group().contains("inf")) {
            s = unit.group(1);
        }
        if (s.isEmpty()) {
            return null;
        }
        if (PLAIN_NUMBER.matcher(s).matches()) {
            String number = Answers.number(s);
            if (number != null) {
                return number;
            }
        }
        return expression(rewriteCommands(s).replaceAll("\\s+", ""));
    }

    /** {@return the content of the last {@code \boxed{...}} (or {@code \fbox}) of the text, or null if it has none} */
    static @Nullable String boxed(String text) {
        if (text.indexOf('\\') < 0 || text.indexOf("\\boxed") < 0 && text.indexOf("\\fbox") < 0) {
            // indexOf is an intrinsic, for one character several times faster than for a string, and most replies
            // have no backslash; lastIndexOf scans char by char, microseconds on a long reply
            return null;
        }
        int at = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
        if (at < 0) {
            return null;
        }
        int open = text.indexOf('{', at);
        int close = open < 0 ? -1 : matching(text, open);
        return close < 0 ? null : text.substring(open + 1, close);
    }

    /** The most brackets (of any kind) and powers one inside another that an answer in notation may hold. */
    static final int DEPTH = 40;
    /** The longest answer read as notation. */
    static final int LENGTH = 2_000;

    /**
     * {@return whether a value is longer than {@value #LENGTH} characters or nests brackets and powers deeper than
     *         {@value #DEPTH}} The readers here recurse once per level; a reply built to nest thousands deep must not
     *         exhaust the stack, and no answer a model means nests so deep.
     */
    private static boolean tooDeep(String value) {
        if (value.length() > LENGTH) {
            return true;
        }
        int depth = 0;
        int powers = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                if (++depth > DEPTH) {
                    return true;
                }
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (c == '^' && ++powers > DEPTH) {
                return true;
            }
        }
        return false;
    }

    /** {@return the one character a relation or set sign is written as} */
    private static String relation(MatchResult m) {
        String sign = m.group(1) == null ? m.group() : m.group(1);
        return switch (sign) {
            case "leqslant", "leq", "le", "<=" -> "≤";
            case "geqslant", "geq", "ge", ">=" -> "≥";
            case "neq", "ne", "!=" -> "≠";
            case "lt" -> "<";
            case "gt" -> ">";
            case "pm" -> "±";
            case "mp" -> "∓";
            case "cup" -> "∪";
            case "cap" -> "∩";
            default -> "∅"; // emptyset, varnothing
        };
    }

    /**
     * {@return whether "or" or "and" stands between the text's first and last equals signs: {@code x=2 or x=3} is two
     *         equations, where {@code 2+3=5 apples. 5-1=4 apples} is working that ends in its result}
     */
    private static boolean twoEquations(String s) {
        int first = s.indexOf('=');
        int last = s.lastIndexOf('=');
        return first < last && CONNECTIVE.matcher(s).region(first, last).find();
    }

    /** {@return a mixed number's value, canonical ({@code 3\frac{1}{2}} is 3.5), or null where its fraction is not proper} */
    private static @Nullable String mixedNumber(String sign, String whole, String numerator, String denominator) {
        if (whole.length() > 9 || numerator.length() > 9 || denominator.length() > 9) {
            return null;
        }
        long n = Long.parseLong(numerator);
        long d = Long.parseLong(denominator);
        if (d == 0 || n >= d) {
            return null;
        }
        return Answers.number((sign.equals("-") ? "-" : "") + (Long.parseLong(whole) * d + n) + "/" + d);
    }

    /** {@code \text{cm}} and the like become their content, set apart by spaces. */
    private static String unstyled(String s) {
        for (Matcher m = STYLE.matcher(s); m.find(); m = STYLE.matcher(s)) {
            int close = matching(s, m.end() - 1);
            if (close < 0) {
                return s;
            }
            s = s.substring(0, m.start()) + " " + s.substring(m.end(), close) + " " + s.substring(close + 1);
        }
        return s;
    }

    /** {@code \frac{a}{b}} becomes {@code (a)/(b)}, {@code \sqrt{a}} and {@code \sqrt a} become {@code sqrt(a)}. */
    private static String rewriteCommands(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("\\frac", i)) {
                int[] a = argument(s, i + 5);
                int[] b = a == null ? null : argument(s, a[1]);
                if (b != null) {
                    String numerator = s.substring(a[0], a[2]).strip();
                    if (numerator.startsWith("-") && !sum(numerator.substring(1))) {
                        out.append('-'); // \frac{-\sqrt{2}}{2} is -\frac{\sqrt{2}}{2}
                        numerator = numerator.substring(1);
                    }
                    out.append('(').append(rewriteCommands(numerator)).append(")/(").append(
                            rewriteCommands(s.substring(b[0], b[2]))).append(')');
                    i = b[1];
                    continue;
                }
            } else if (s.startsWith("\\sqrt", i)) {
                int from = i + 5;
                String index = ""; // \sqrt[3]{2}: the cube root, written sqrt[3](2); \sqrt[2] is \sqrt
                int open = from;
                while (open < s.length() && s.charAt(open) == ' ') {
                    open++;
                }
                int close = open < s.length() && s.charAt(open) == '[' ? s.indexOf(']', open) : -1;
                if (close > 0) {
                    String n = s.substring(open + 1, close).strip();
                    index = n.equals("2") ? "" : "[" + rewriteCommands(n) + "]";
                    from = close + 1;
                }
                int[] a = argument(s, from);
                if (a != null) {
                    out.append("sqrt").append(index).append('(').append(rewriteCommands(s.substring(a[0], a[2])))
                            .append(')');
                    i = a[1];
                    continue;
                }
            }
            char c = s.charAt(i);
            out.append(c == '{' ? '(' : c == '}' ? ')' : c);
            i++;
        }
        return out.toString();
    }

    /** {@return whether a sign outside brackets adds or subtracts terms in the text: {@code a+b}, not {@code 2^{-1}}} */
    private static boolean sum(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if ((c == '+' || c == '-') && depth == 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * One argument of a command: a braced group, or a single character ({@code \frac12}, {@code \sqrt2}).
     *
     * @return {content start, index after the argument, content end}, or null when there is none
     */
    private static int @Nullable [] argument(String s, int from) {
        int i = from;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        if (i >= s.length()) {
            return null;
        }
        if (s.charAt(i) == '{') {
            int close = matching(s, i);
            return close < 0 ? null : new int[]{i + 1, close + 1, close};
        }
        return s.charAt(i) == '\\' ? null : new int[]{i, i + 1, i + 1};
    }

    /** An expression, tuple, interval or set, spaces already removed. */
    private static @Nullable String expression(String s) {
        if (s.isEmpty()) {
            return null;
        }
        char first = s.charAt(0);
        char last = s.charAt(s.length() - 1);
        boolean set = first == '\u0001' && last == '\u0002';
        boolean bracketed = set || ((first == '(' || first == '[') && (last == ')' || last == ']') && matchingAny(s,
                0) == s.length() - 1);
        if (bracketed) {
            List<String> items = split(s.substring(1, s.length() - 1));
            if (items.size() > 1 || set) {
                List<String> canonical = new ArrayList<>(items.size());
                for (String item : items) {
                    String c = item.isEmpty() ? null : canonical(item);
                    if (c == null) {
                        return null;
                    }
                    canonical.add(c);
                }
                if (set) {
                    canonical.sort(null);
                    return "{" + String.join(",", canonical) + "}";
                }
                return first + String.join(",", canonical) + last;
            }
            if (first == '(' && last == ')') {
                return canonical(s.substring(1, s.length() - 1));
            }
        }
        if (s.indexOf(',') > 0 && split(s).size() > 1 && !PLAIN_NUMBER.matcher(s).matches()) {
            return expression("(" + s + ")"); // a bare list: 1, 2
        }
        String e = s.replace('\u0001', '{').replace('\u0002', '}');
        e = e.replaceAll("(?<=[\\d)])\\*(?=[a-zA-Z(])", ""); // implicit products: 2*pi = 2pi, 3*sqrt(2) = 3sqrt(2)
        for (String before = ""; !before.equals(e);) {
            before = e;
            e = ATOM.matcher(e).replaceAll("$1");
        }
        e = DECIMAL.matcher(e).replaceAll(m -> m.group(2).isEmpty() ? m.group(1) : m.group(1) + "." + m.group(2));
        if (PLAIN_NUMBER.matcher(e).matches()) {
            String number = Answers.number(e);
            return number != null ? number : e;
        }
        if (e.contains("sqrt") || e.contains("pi") || e.indexOf('^') >= 0) {
            String value = Constant.of(e);
            return value != null ? value : e;
        }
        return e;
    }

    /** Splits at the commas outside brackets. */
    private static List<String> split(String s) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[' || c == '{' || c == '\u0001') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}' || c == '\u0002') {
                depth--;
            } else if (c == ',' && depth == 0) {
                items.add(s.substring(start, i));
                start = i + 1;
            }
        }
        items.add(s.substring(start));
        return items;
    }

    /** {@return the index of the brace that closes the one at {@code open}, or -1} */
    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** {@return the index of the bracket of any kind that closes the one at {@code open} (intervals mix them), or -1} */
    private static int matchingAny(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '(' || c == '[') {
                depth++;
            } else if ((c == ')' || c == ']') && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The value of an expression of numbers, {@code pi}, roots and powers with no variable, so that the forms of one
     * constant compare equal ({@code sqrt(2)/2} and {@code 1/sqrt(2)}, {@code 2sqrt(2)} and {@code sqrt(8)},
     * {@code (3pi)/4} and {@code 3/4pi}, {@code 2^10} and {@code 1024}): a rational value with a denominator of at most
     * {@value #DENOMINATOR} as {@link Answers#number} writes it, any other to {@value #DIGITS} significant digits. Two
     * constants that agree to that many digits are taken as one; a decimal a model rounded ({@code 1.4142}) is not the
     * root it rounds. Implicit products ({@code 2pi}) bind as a product written out, left to right with division, as
     * {@code \frac{1}{2}\pi} reads.
     */
    private static final class Constant {
        static final int DENOMINATOR = 1000;
        static final int DIGITS = 12;
        private final String s;
        private int at;

        private Constant(String s) {
            this.s = s;
        }

        /** {@return the canonical value, or null where the text is not such a constant or has no finite real value} */
        static @Nullable String of(String expression) {
            Constant c = new Constant(expression);
            double v;
            try {
                v = c.sum();
            } catch (IllegalArgumentException notAConstant) {
                return null;
            }
            if (c.at != expression.length() || !Double.isFinite(v) || Math.abs(v) > 1e15) {
                return null;
            }
            for (int q = 1; q <= DENOMINATOR; q++) {
                double p = Math.rint(v * q);
                if (Math.abs(v * q - p) <= 1e-9 * Math.max(1, Math.abs(v * q))) {
                    return Answers.number((long) p + "/" + q);
                }
            }
            return new java.math.BigDecimal(v).round(new java.math.MathContext(DIGITS)).stripTrailingZeros()
                    .toPlainString();
        }

        private double sum() {
            double v = product();
            while (at < s.length() && (s.charAt(at) == '+' || s.charAt(at) == '-')) {
                v = s.charAt(at++) == '+' ? v + product() : v - product();
            }
            return v;
        }

        private double product() {
            double v = signed();
            while (at < s.length()) {
                char c = s.charAt(at);
                if (c == '*' || c == '/') {
                    at++;
                    v = c == '*' ? v * signed() : v / signed();
                } else if (c == '(' || c == '.' || c >= '0' && c <= '9' || s.startsWith("pi", at) || s.startsWith(
                        "sqrt", at)) {
                    v *= power(); // an implicit product: 2pi, 3sqrt(2), (1+sqrt(5))(2)
                } else {
                    break;
                }
            }
            return v;
        }

        private double signed() {
            if (at < s.length() && (s.charAt(at) == '-' || s.charAt(at) == '+')) {
                return s.charAt(at++) == '-' ? -signed() : signed();
            }
            return power();
        }

        private double power() {
            double base = atom();
            if (at < s.length() && s.charAt(at) == '^') {
                at++;
                return Math.pow(base, signed()); // right to left: 2^3^2 is 2^9
            }
            return base;
        }

        private double atom() {
            if (at >= s.length()) {
                throw new IllegalArgumentException("expression ends early");
            }
            char c = s.charAt(at);
            if (c == '(') {
                at++;
                double v = sum();
                expect(')');
                return v;
            }
            if (s.startsWith("pi", at)) {
                at += 2;
                return Math.PI;
            }
            if (s.startsWith("sqrt", at)) {
                at += 4;
                double degree = 2;
                if (at < s.length() && s.charAt(at) == '[') {
                    at++;
                    degree = sum();
                    expect(']');
                }
                double radicand = power();
                return degree == 2
                        ? Math.sqrt(radicand)
                        : radicand < 0 && degree % 2 == 1
                                ? -Math.pow(-radicand, 1 / degree)
                                : Math.pow(radicand, 1 / degree);
            }
            int start = at;
            while (at < s.length() && (s.charAt(at) >= '0' && s.charAt(at) <= '9' || s.charAt(at) == '.')) {
                at++;
            }
            if (start == at) {
                throw new IllegalArgumentException("not a constant at " + start);
            }
            return Double.parseDouble(s.substring(start, at));
        }

        private void expect(char c) {
            if (at >= s.length() || s.charAt(at) != c) {
                throw new IllegalArgumentException("expected " + c + " at " + at);
            }
            at++;
        }
    }
}
