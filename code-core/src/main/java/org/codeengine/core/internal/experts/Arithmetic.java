package org.codeengine.core.internal.experts;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

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

    /** The longest array {@link #scratch} keeps per thread, in characters. */
    private static final int KEPT = 1 << 16;
    private static final ThreadLocal<char @Nullable []> SCRATCH = new ThreadLocal<>();

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
     * {@return an array of at least {@code length} characters for {@link #read(String, int, char[])}, kept by this
     *         thread and handed out again}: a decision reads its replies one after another, and a new array per
     *         decision costs more to clear than the copies into it. An array longer than {@value #KEPT} characters is
     *         not kept.
     *
     * @param length the longest reply to be read into it
     */
    static char[] scratch(int length) {
        char[] kept = SCRATCH.get();
        if (kept != null && kept.length >= length) {
            return kept;
        }
        char[] array = new char[Math.max(length, 2_048)];
        if (array.length <= KEPT) {
            SCRATCH.set(array);
        }
        return array;
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
        // one reader per side for the whole reply, each set to the next statement's side
        Parser left = new Parser(text, limit);
        Parser right = new Parser(text, limit);
        for (int eq = reply.indexOf('='); eq >= 0 && eq < end; eq = reply.indexOf('=', eq + 1)) {
            if (!plainEquals(text, limit, eq)) {
                continue;
            }
            statements++;
            double lhs = left.reset(leftStart(text, limit, eq), eq).whole();
            if (Double.isNaN(lhs) || left.operators == 0) { // a side with no operator is only checked against a sum
                continue;
            }
            double rhs = right.reset(eq + 1, limit).prefix();
            if (Double.isNaN(rhs)) {
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
        return before != '=' && before != '<' && before != '>' && before != '!' && before != ':' && after != '='
                && after != '>';
    }

    /**
     * {@return where the left side of the {@code =} at {@code eq} starts: the longest run of arithmetic characters
     * before it, less leading spaces and a bold mark; {@code eq} (an empty side) if that run follows a letter or a sign
     * that binds to its first number ({@code B2}, {@code 3^2}, {@code √9}), follows "of" (a part of a longer product:
     * {@code 10% of $600 * 12}), or starts with a sign (the end of a longer sum: {@code Bo's crabs - 4})}
     */
    private static int leftStart(char[] s, int n, int eq) {
        int start = eq;
        while (start > 0) {
            char c = s[start - 1];
            // most characters of a side are digits, spaces and operators: looked up at once, the rest asked for
            if ((c < KINDS.length && (KINDS[c] & SIDE) != 0) || arithmetic(s, n, start - 1)) {
                start--;
            } else {
                break;
            }
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

    /**
     * {@return whether {@code c}, right after a side's expression, makes it part of a longer one: a bracket, percent,
     *         power, point or factorial}
     */
    private static boolean continues(char c) {
        return switch (c) {
            case '(', '%', '^', '.', '²', '³', '!' -> true;
            default -> false;
        };
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * A reader of one side: {@code expr := term (+|- term)*}, {@code term := factor (op factor)*},
     * {@code factor := -factor | (expr) | $?number}, where a minus sign may start a factor only at the start of the
     * side or after an opening bracket; NaN where the text is not such an expression.
     */
    private static final class Parser {
        private final char[] s;
        /** The length of the reply in {@link #s}. */
        private final int n;
        private int to;
        private int at;
        int operators;
        /** The operator of a sum or product that has no term or factor yet. */
        private static final char FIRST = 0;
        /**
         * Per open bracket, outermost first: the sum and product it interrupts, their operators, and its sign; empty
         * until a side opens a bracket.
         */
        private double[] sums = {};
        private double[] products = {};
        private char[] sumOps = {};
        private char[] productOps = {};
        private boolean[] negatives = {};
        /** The decimals of the last number read; -1 before the first. */
        private int decimals;

        Parser(char[] s, int n) {
            this.s = s;
            this.n = n;
        }

        /** {@return this reader, set to read the side {@code [from, to)} afresh} */
        Parser reset(int from, int to) {
            this.at = from;
            this.to = to;
            operators = 0;
            decimals = -1;
            return this;
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
                if (isDigit(c) || isOperator(c) || continues(c) || (s[at - 1] != ' '
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

        /**
         * {@return the value of the expression that starts at {@link #at}, or NaN}: read in one loop, left to right,
         * each product and sum worked out in the order the recursive form of the grammar works them out. An opening
         * bracket keeps the sum and product it interrupts, and the sign before it, on a stack; its closing bracket
         * gives them back. A NaN anywhere makes the whole side NaN, as it goes on into every sum and product after it.
         * The place read is kept in a local, and written back to {@link #at} on the way out.
         */
        private double expression() {
            final char[] s = this.s;
            final int to = this.to;
            int i = at;
            boolean signed = true; // whether a minus sign may start the next factor
            int depth = 0;
            double sum = 0;
            double product = 0;
            char sumOp = FIRST;
            char productOp = FIRST;
            boolean negative = false;
            while (true) {
                while (i < to && s[i] == ' ') {
                    i++;
                }
                if (i >= to) {
                    return Double.NaN;
                }
                char c = s[i];
                if ((c == '-' || c == '−') && signed) {
                    i++;
                    signed = false;
                    negative = true;
                    continue;
                }
                signed = false;
                if (c == '(') {
                    i++;
                    push(depth++, sum, sumOp, product, productOp, negative);
                    signed = true;
                    sumOp = FIRST;
                    productOp = FIRST;
                    negative = false;
                    continue;
                }
                if (c == '$') {
                    i++;
                }
                // a number: digits, thousands groups of three, decimals; the decimals noted, as the side may be one
                int start = i;
                long whole = 0;
                while (i < to && isDigit(s[i])) {
                    whole = Math.min(whole * 10 + s[i++] - '0', Long.MAX_VALUE / 100);
                    if (i + 3 < to && s[i] == ',' && isDigit(s[i + 1]) && isDigit(s[i + 2])
                            && isDigit(s[i + 3]) && (i + 4 >= to || !isDigit(s[i + 4]))) {
                        i++;
                    }
                }
                if (i == start) {
                    at = i;
                    return Double.NaN;
                }
                double f = whole;
                int places = 0;
                if (i + 1 < to && s[i] == '.' && isDigit(s[i + 1])) {
                    i++;
                    double scale = 1;
                    while (i < to && isDigit(s[i])) {
                        scale /= 10;
                        f += (s[i++] - '0') * scale;
                        places++;
                    }
                }
                decimals = places;
                while (true) {
                    f = negative ? -f : f;
                    negative = false;
                    product = productOp == FIRST
                            ? f
                            : productOp == '/' ? (f == 0 ? Double.NaN : product / f) : product * f;
                    while (i < to && s[i] == ' ') {
                        i++;
                    }
                    if (i < to && isProduct(s[i]) && (s[i] != 'x' || times(s, n, i))) {
                        productOp = s[i] == '/' || s[i] == '÷' ? '/' : '*';
                        i++;
                        operators++;
                        break;
                    }
                    // a NaN goes on into every sum and product after it, and so into the side's value
                    sum = sumOp == FIRST ? product : sumOp == '-' ? sum - product : sum + product;
                    if (i < to && isSign(s[i])) {
                        sumOp = s[i] != '+' ? '-' : '+';
                        productOp = FIRST;
                        i++;
                        operators++;
                        break;
                    }
                    if (depth == 0) {
                        at = i;
                        return sum;
                    }
                    if (i >= to || s[i] != ')') {
                        at = i;
                        return Double.NaN;
                    }
                    i++;
                    f = sum;
                    depth--;
                    sum = sums[depth];
                    product = products[depth];
                    sumOp = sumOps[depth];
                    productOp = productOps[depth];
                    negative = negatives[depth];
                }
            }
        }

        /** Keeps the state of the expression an opening bracket interrupts, at {@code depth} of the stack. */
        private void push(int depth, double sum, char sumOp, double product, char productOp, boolean negative) {
            if (depth == sums.length) {
                int length = Math.max(4, depth * 2);
                sums = Arrays.copyOf(sums, length);
                products = Arrays.copyOf(products, length);
                sumOps = Arrays.copyOf(sumOps, length);
                productOps = Arrays.copyOf(productOps, length);
                negatives = Arrays.copyOf(negatives, length);
            }
            sums[depth] = sum;
            products[depth] = product;
            sumOps[depth] = sumOp;
            productOps[depth] = productOp;
            negatives[depth] = negative;
        }

        private void spaces() {
            while (at < to && s[at] == ' ') {
                at++;
            }
        }
    }
}
