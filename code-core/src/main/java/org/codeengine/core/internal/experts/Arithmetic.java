package org.codeengine.core.internal.experts;

/**
 * The arithmetic a reply's working writes out, checked: a statement {@code 16 - 3 - 4 = 9} or {@code 9 * $2 = $18}
 * whose two sides are plain arithmetic (numbers, {@code + - * x × · / ÷}, brackets, dollar signs) and do not have the
 * same value is a slip, and a reply that slips on its way is less likely to be right (on the visible data a wrong
 * reply slips two to three times as often as a right one). A reader of the {@link LearnedRule}'s reply features.
 *
 * <p>The reading is conservative, because a slip it reports where the model was right is worse than one it misses:
 * a side is checked only when it is wholly arithmetic (not {@code 2x + 15 - 5}, not {@code X / 3 - 11}, not
 * {@code 25%}, not an exponent or a root), at least one side holds an operator, and a side that is a bare number is
 * read to the precision it is written in ({@code 55 / 3 = 18.33} holds).
 */
final class Arithmetic {
    /** {@code Math.pow(10, -d)} for the decimals {@code d} numbers are written with, read once. */
    private static final double[] TENTHS = new double[24];
    /** What each ASCII character is to a side, in bits: {@link #SIGN}, {@link #PRODUCT}, {@link #SIDE}. */
    private static final byte[] KINDS = new byte[128];
    private static final byte SIGN = 1;
    private static final byte PRODUCT = 2;
    /** A character that may stand in a side wherever it is: a digit, space, dollar, bracket or operator but x. */
    private static final byte SIDE = 4;

    static {
        for (int d = 0; d < TENTHS.length; d++) {
            TENTHS[d] = Math.pow(10, -d);
        }
        KINDS['+'] = SIGN | SIDE;
        KINDS['-'] = SIGN | SIDE;
        KINDS['*'] = PRODUCT | SIDE;
        KINDS['/'] = PRODUCT | SIDE;
        KINDS['x'] = PRODUCT; // a times sign only where spaced or between digits
        for (char c : "0123456789 $()".toCharArray()) {
            KINDS[c] = SIDE;
        }
    }

    private Arithmetic() {}

    /**
     * What a reply's working writes out: how many statements ({@code a = b}, each {@code =} that stands alone, checkable
     * or not) and how many of the checkable ones do not hold.
     *
     * @param statements the statements written
     * @param slips the checkable statements among them whose two sides differ
     */
    record Working(int statements, int slips) {}

    /**
     * {@return how many of the checkable statements in {@code reply[0, end)} do not hold}
     *
     * @param reply a reply
     * @param end where its working ends
     */
    static int slips(String reply, int end) {
        return read(reply, end).slips();
    }

    /**
     * {@return the statements {@code reply[0, end)} writes and its slips, read in one pass}
     *
     * @param reply a reply
     * @param end where its working ends
     */
    static Working read(String reply, int end) {
        return read(reply, end, new char[reply.length()]);
    }

    /**
     * {@return as {@link #read(String, int)}, reading the reply's characters from a copy in {@code scratch}}: a reader
     * of several replies copies each into one array, where a copy of its own would cost more than the reading
     *
     * @param scratch an array at least as long as the reply, overwritten
     */
    static Working read(String reply, int end, char[] scratch) {
        // the sides are read a character at a time, many of them twice: from an array, without String.charAt's checks
        reply.getChars(0, reply.length(), scratch, 0);
        char[] text = scratch;
        int limit = reply.length();
        int statements = 0;
        int slips = 0;
        for (int eq = reply.indexOf('='); eq >= 0 && eq < end; eq = reply.indexOf('=', eq + 1)) {
            if (!plainEquals(text, limit, eq)) {
                continue;
            }
            statements++;
            Parser left = new Parser(text, limit, leftStart(text, limit, eq), eq);
            double lhs = left.whole();
            if (Double.isNaN(lhs)) {
                continue;
            }
            Parser right = new Parser(text, limit, eq + 1, limit);
            double rhs = right.prefix();
            if (Double.isNaN(rhs) || left.operators == 0) {
                continue;
            }
            double tolerance = Math.max(Math.max(left.tolerance(), right.tolerance()), 1e-3 * Math.abs(rhs));
            if (Math.abs(lhs - rhs) > tolerance + 1e-9) {
                slips++;
            }
        }
        return new Working(statements, slips);
    }

    /** {@return whether the {@code =} at {@code at} stands alone: not {@code ==}, {@code <=}, {@code =>} and such} */
    private static boolean plainEquals(char[] s, int n, int at) {
        char before = at > 0 ? s[at - 1] : ' ';
        char after = at + 1 < n ? s[at + 1] : ' ';
        return "=<>!:".indexOf(before) < 0 && "=>".indexOf(after) < 0;
    }

    /**
     * {@return where the left side of the {@code =} at {@code eq} starts: the longest run of arithmetic characters
     * before it, less leading spaces and a bold mark; {@code eq} (an empty side) if that run follows a letter or a sign
     * that binds to its first number ({@code B2}, {@code 3^2}, {@code √9}), follows "of" (a part of a longer product:
     * {@code 10% of $600 * 12}), or starts with a sign (the end of a longer sum: {@code Bo's crabs - 4})}
     */
    private static int leftStart(char[] s, int n, int eq) {
        int start = eq;
        while (start > 0 && arithmetic(s, n, start - 1)) {
            start--;
        }
        if (start > 0 && start < eq && !Character.isWhitespace(s[start])
                && (Character.isLetterOrDigit(s[start - 1]) || "^%√²³!_\\.".indexOf(s[start - 1]) >= 0)) {
            return eq;
        }
        if (start >= 2 && s[start - 2] == 'o' && s[start - 1] == 'f' && !letterAt(s, n, start - 3)) {
            return eq;
        }
        while (start < eq && (Character.isWhitespace(s[start]) || (s[start] == '*' && start + 1 < eq
                && s[start + 1] == '*'))) {
            start += s[start] == '*' ? 2 : 1;
        }
        return start < eq && (isDigit(s[start]) || s[start] == '(' || s[start] == '$')
                ? start
                : eq;
    }

    /** {@return whether the character at {@code i} can be part of a plain arithmetic side} */
    private static boolean arithmetic(char[] s, int n, int i) {
        char c = s[i];
        if (c == 'x') {
            return times(s, n, i);
        }
        if (c < KINDS.length ? (KINDS[c] & SIDE) != 0 : isOperator(c)) {
            return true;
        }
        return (c == '.' || c == ',') && i > 0 && i + 1 < n && isDigit(s[i - 1]) && isDigit(s[i + 1]);
    }

    /** {@return whether the {@code x} at {@code i} is a times sign: spaced on both sides, or between two digits} */
    private static boolean times(char[] s, int n, int i) {
        if (i <= 0 || i + 1 >= n) {
            return false;
        }
        char before = s[i - 1];
        char after = s[i + 1];
        return (before == ' ' && after == ' ') || (isDigit(before) && isDigit(after));
    }

    private static boolean letterAt(char[] s, int n, int i) {
        return i >= 0 && i < n && Character.isLetter(s[i]);
    }

    private static boolean isOperator(char c) {
        return isSign(c) || isProduct(c);
    }

    /** {@return whether {@code c} adds or subtracts: {@code + - −}} */
    private static boolean isSign(char c) {
        return c < KINDS.length ? (KINDS[c] & SIGN) != 0 : c == '−';
    }

    /** {@return whether {@code c} multiplies or divides: {@code * x × · / ÷}} */
    private static boolean isProduct(char c) {
        return c < KINDS.length ? (KINDS[c] & PRODUCT) != 0 : c == '×' || c == '·' || c == '÷';
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * A recursive-descent reader of one side: {@code expr := term (+|- term)*}, {@code term := factor (op factor)*},
     * {@code factor := -factor | (expr) | $?number}; NaN where the text is not such an expression.
     */
    private static final class Parser {
        private final char[] s;
        /** The length of the reply in {@link #s}. */
        private final int n;
        private final int to;
        private int at;
        int operators;
        /** Whether a minus sign may start the next factor: at the start of the side and after an opening bracket. */
        private boolean signed = true;
        /** The decimals of the last number read; -1 before the first. */
        private int decimals = -1;

        Parser(char[] s, int n, int from, int to) {
            this.s = s;
            this.n = n;
            this.at = from;
            this.to = to;
        }

        /** {@return the value of the whole of {@code [from, to)}, or NaN} */
        double whole() {
            double v = expression();
            spaces();
            return at == to ? v : Double.NaN;
        }

        /**
         * {@return the value of the expression that starts at {@code from}, or NaN if it is not followed by a plain
         *         end: not by a digit, bracket, operator, percent, power, point or a letter written against it}
         */
        double prefix() {
            double v = expression();
            if (Double.isNaN(v)) {
                return v;
            }
            spaces();
            if (at < to) {
                char c = s[at];
                if (isDigit(c) || isOperator(c) || "(%^.²³!".indexOf(c) >= 0 || (s[at - 1] != ' '
                        && Character.isLetter(c))) {
                    return Double.NaN;
                }
            }
            return v;
        }

        /** {@return how far a value written on this side may be from the other: half its last written digit} */
        double tolerance() {
            return decimals < 0 || operators > 0
                    ? 0
                    : 0.5 * (decimals < TENTHS.length ? TENTHS[decimals] : Math.pow(10, -decimals));
        }

        private double expression() {
            double v = term();
            while (!Double.isNaN(v)) {
                spaces();
                if (at >= to || !isSign(s[at])) {
                    return v;
                }
                boolean minus = s[at++] != '+';
                double t = term();
                operators++;
                v = minus ? v - t : v + t;
            }
            return v;
        }

        private double term() {
            double v = factor();
            while (!Double.isNaN(v)) {
                spaces();
                if (at >= to || !isProduct(s[at]) || (s[at] == 'x' && !times(s, n, at))) {
                    return v;
                }
                boolean divide = s[at] == '/' || s[at] == '÷';
                at++;
                double f = factor();
                operators++;
                v = divide ? (f == 0 ? Double.NaN : v / f) : v * f;
            }
            return v;
        }

        private double factor() {
            spaces();
            if (at >= to) {
                return Double.NaN;
            }
            char c = s[at];
            if ((c == '-' || c == '−') && signed) {
                at++;
                signed = false;
                return -factor();
            }
            signed = false;
            if (c == '(') {
                at++;
                signed = true;
                double v = expression();
                spaces();
                if (at >= to || s[at] != ')') {
                    return Double.NaN;
                }
                at++;
                return v;
            }
            if (c == '$') {
                at++;
            }
            return number();
        }

        /** Reads digits, thousands groups of three and decimals; notes the decimals if the side is one number. */
        private double number() {
            int start = at;
            long whole = 0;
            while (at < to && isDigit(s[at])) {
                whole = Math.min(whole * 10 + s[at++] - '0', Long.MAX_VALUE / 100);
                if (at + 3 < to && s[at] == ',' && isDigit(s[at + 1]) && isDigit(s[at + 2])
                        && isDigit(s[at + 3]) && (at + 4 >= to || !isDigit(s[at + 4]))) {
                    at++;
                }
            }
            if (at == start) {
                return Double.NaN;
            }
            double v = whole;
            int places = 0;
            if (at + 1 < to && s[at] == '.' && isDigit(s[at + 1])) {
                at++;
                double scale = 1;
                while (at < to && isDigit(s[at])) {
                    scale /= 10;
                    v += (s[at++] - '0') * scale;
                    places++;
                }
            }
            decimals = places;
            return v;
        }

        private void spaces() {
            while (at < to && s[at] == ' ') {
                at++;
            }
        }
    }
}
