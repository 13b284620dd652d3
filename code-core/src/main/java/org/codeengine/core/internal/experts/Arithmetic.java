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
        int statements = 0;
        int slips = 0;
        for (int eq = reply.indexOf('='); eq >= 0 && eq < end; eq = reply.indexOf('=', eq + 1)) {
            if (!plainEquals(reply, eq)) {
                continue;
            }
            statements++;
            Parser left = new Parser(reply, leftStart(reply, eq), eq);
            double lhs = left.whole();
            if (Double.isNaN(lhs)) {
                continue;
            }
            Parser right = new Parser(reply, eq + 1, reply.length());
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
    private static boolean plainEquals(String s, int at) {
        char before = at > 0 ? s.charAt(at - 1) : ' ';
        char after = at + 1 < s.length() ? s.charAt(at + 1) : ' ';
        return "=<>!:".indexOf(before) < 0 && "=>".indexOf(after) < 0;
    }

    /**
     * {@return where the left side of the {@code =} at {@code eq} starts: the longest run of arithmetic characters
     * before it, less leading spaces and a bold mark; {@code eq} (an empty side) if that run follows a letter or a sign
     * that binds to its first number ({@code B2}, {@code 3^2}, {@code √9}), follows "of" (a part of a longer product:
     * {@code 10% of $600 * 12}), or starts with a sign (the end of a longer sum: {@code Bo's crabs - 4})}
     */
    private static int leftStart(String s, int eq) {
        int start = eq;
        while (start > 0 && arithmetic(s, start - 1)) {
            start--;
        }
        if (start > 0 && start < eq && !Character.isWhitespace(s.charAt(start)) && (Character.isLetterOrDigit(s
                .charAt(start - 1)) || "^%√²³!_\\.".indexOf(s.charAt(start - 1)) >= 0)) {
            return eq;
        }
        if (start >= 2 && s.startsWith("of", start - 2) && !letterAt(s, start - 3)) {
            return eq;
        }
        while (start < eq && (Character.isWhitespace(s.charAt(start)) || (s.charAt(start) == '*' && start + 1 < eq
                && s.charAt(start + 1) == '*'))) {
            start += s.charAt(start) == '*' ? 2 : 1;
        }
        return start < eq && (isDigit(s.charAt(start)) || s.charAt(start) == '(' || s.charAt(start) == '$')
                ? start
                : eq;
    }

    /** {@return whether the character at {@code i} can be part of a plain arithmetic side} */
    private static boolean arithmetic(String s, int i) {
        char c = s.charAt(i);
        if (c == 'x') {
            return times(s, i);
        }
        if (isDigit(c) || c == ' ' || c == '$' || c == '(' || c == ')' || isOperator(c)) {
            return true;
        }
        return (c == '.' || c == ',') && i > 0 && i + 1 < s.length() && isDigit(s.charAt(i - 1)) && isDigit(s.charAt(
                i + 1));
    }

    /** {@return whether the {@code x} at {@code i} is a times sign: spaced on both sides, or between two digits} */
    private static boolean times(String s, int i) {
        if (i <= 0 || i + 1 >= s.length()) {
            return false;
        }
        char before = s.charAt(i - 1);
        char after = s.charAt(i + 1);
        return (before == ' ' && after == ' ') || (isDigit(before) && isDigit(after));
    }

    private static boolean letterAt(String s, int i) {
        return i >= 0 && i < s.length() && Character.isLetter(s.charAt(i));
    }

    private static boolean isOperator(char c) {
        return isSign(c) || isProduct(c);
    }

    /** {@return whether {@code c} adds or subtracts: {@code + - −}} */
    private static boolean isSign(char c) {
        return c == '+' || c == '-' || c == '−';
    }

    /** {@return whether {@code c} multiplies or divides: {@code * x × · / ÷}} */
    private static boolean isProduct(char c) {
        return switch (c) {
            case '*', 'x', '×', '·', '/', '÷' -> true;
            default -> false;
        };
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * A recursive-descent reader of one side: {@code expr := term (+|- term)*}, {@code term := factor (op factor)*},
     * {@code factor := -factor | (expr) | $?number}; NaN where the text is not such an expression.
     */
    private static final class Parser {
        private final String s;
        private final int to;
        private int at;
        int operators;
        /** Whether a minus sign may start the next factor: at the start of the side and after an opening bracket. */
        private boolean signed = true;
        /** The decimals of the last number read; -1 before the first. */
        private int decimals = -1;

        Parser(String s, int from, int to) {
            this.s = s;
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
                char c = s.charAt(at);
                if (isDigit(c) || isOperator(c) || "(%^.²³!".indexOf(c) >= 0 || (s.charAt(at - 1) != ' '
                        && Character.isLetter(c))) {
                    return Double.NaN;
                }
            }
            return v;
        }

        /** {@return how far a value written on this side may be from the other: half its last written digit} */
        double tolerance() {
            return decimals < 0 || operators > 0 ? 0 : 0.5 * Math.pow(10, -decimals);
        }

        private double expression() {
            double v = term();
            while (!Double.isNaN(v)) {
                spaces();
                if (at >= to || !isSign(s.charAt(at))) {
                    return v;
                }
                boolean minus = s.charAt(at++) != '+';
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
                if (at >= to || !isProduct(s.charAt(at)) || (s.charAt(at) == 'x' && !times(s, at))) {
                    return v;
                }
                boolean divide = s.charAt(at) == '/' || s.charAt(at) == '÷';
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
            char c = s.charAt(at);
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
                if (at >= to || s.charAt(at) != ')') {
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
            while (at < to && isDigit(s.charAt(at))) {
                whole = Math.min(whole * 10 + s.charAt(at++) - '0', Long.MAX_VALUE / 100);
                if (at + 3 < to && s.charAt(at) == ',' && isDigit(s.charAt(at + 1)) && isDigit(s.charAt(at + 2))
                        && isDigit(s.charAt(at + 3)) && (at + 4 >= to || !isDigit(s.charAt(at + 4)))) {
                    at++;
                }
            }
            if (at == start) {
                return Double.NaN;
            }
            double v = whole;
            int places = 0;
            if (at + 1 < to && s.charAt(at) == '.' && isDigit(s.charAt(at + 1))) {
                at++;
                double scale = 1;
                while (at < to && isDigit(s.charAt(at))) {
                    scale /= 10;
                    v += (s.charAt(at++) - '0') * scale;
                    places++;
                }
            }
            decimals = places;
            return v;
        }

        private void spaces() {
            while (at < to && s.charAt(at) == ' ') {
                at++;
            }
        }
    }
}
