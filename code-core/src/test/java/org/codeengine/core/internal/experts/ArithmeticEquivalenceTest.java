package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The working's arithmetic is read from a copy of the reply's characters, in an array the caller may share between
 * replies; these tests hold that reading to the one it replaced ({@link Plain}, kept here as it was, on the string):
 * the same statements and slips on every recorded reply of {@code ../shared/eval} and on generated texts made to hit
 * the edges of the reader, with the shared array longer than the reply and full of arithmetic that must not be read.
 */
class ArithmeticEquivalenceTest {
    @Test
    void everyRecordedReply_isReadAsTheStringReaderReadsIt() throws IOException {
        Checker check = new Checker();
        ReplyFormEquivalenceTest.eachRecordedQuestion(row -> {
            for (Map.Entry<String, JsonNode> reply : row.get("answers").properties()) {
                String text = reply.getValue().asString();
                check.reply(text, ReplyForm.of(text, null).working());
                check.reply(text, text.length());
            }
        });

        assertThat(check.mismatches).isEmpty();
        assertThat(check.replies).as("the 12 models' replies to 1,319 questions, twice").isGreaterThan(30_000);
        assertThat(check.slipped).as("replies that slip somewhere").isGreaterThan(100);
    }

    @Test
    void generatedTexts_atTheEdgesOfSidesNumbersAndOperators_areReadAsTheStringReaderReadsThem() {
        String[] pieces = {"0", "7", "12", "123", "1234", "0.5", "1.", ".5", "2.50", "1,000", "1,0000", "12,34",
                "$", " ", "  ", "=", " = ", "==", "<=", "=>", "!=", ":=", "+", "-", "−", "*", "**", "x", " x ", "×",
                "·",
                "/", "÷", "(", ")", "%", "^", "√", "²", "³", "!", "_", "\\", ".", ",", "\n", "of ", "is ", "B", "d",
                "a", "é", "X"};
        String[] numbers = {"0", "7", "12", "123", "1234", "0.5", "2.50", "1,000", "$3", " 4 ", "(5", "6)", "-8"};
        String[] operators = {" + ", " - ", " * ", " x ", " / ", " = ", "=", "×", "÷", "−", " = "};
        Random random = new Random(21);
        Checker check = new Checker();
        for (int i = 0; i < 100_000; i++) {
            StringBuilder text = new StringBuilder();
            boolean sums = i % 2 == 0; // half of them written as sums: numbers and operators in turn, an = now and then
            for (int n = 1 + random.nextInt(30); n > 0; n--) {
                String[] from = !sums || random.nextInt(5) == 0 ? pieces : n % 2 == 0 ? numbers : operators;
                text.append(from[random.nextInt(from.length)]);
            }
            String reply = text.toString();
            check.reply(reply, random.nextInt(reply.length() + 1));
            check.reply(reply, reply.length());
        }

        assertThat(check.mismatches).isEmpty();
        assertThat(check.slipped).as("texts that slip somewhere").isGreaterThan(1_000);
        assertThat(check.checked).as("texts with a statement").isGreaterThan(10_000);
    }

    /** Compares the two readings, the array's reading with a shared array longer than the reply, left dirty. */
    private static final class Checker {
        final List<String> mismatches = new ArrayList<>();
        /** Arithmetic after the reply's end that a reader which ran past it would find. */
        private final char[] dirty = new char[64_000];
        private final char[] scratch = new char[dirty.length];
        int replies;
        int slipped;
        int checked;

        Checker() {
            char[] dirt = "= 1 + 2 = 4 * 5 x 6 ".toCharArray();
            for (int i = 0; i < dirty.length; i++) {
                dirty[i] = dirt[i % dirt.length];
            }
            System.arraycopy(dirty, 0, scratch, 0, dirty.length);
        }

        void reply(String reply, int end) {
            replies++;
            Arithmetic.Working plain = Plain.read(reply, end);
            Arithmetic.Working own = Arithmetic.read(reply, end);
            Arithmetic.Working shared = Arithmetic.read(reply, end, scratch);
            if ((!own.equals(plain) || !shared.equals(plain)) && mismatches.size() < 10) {
                mismatches.add(own + " / " + shared + " != plain " + plain + " to " + end + " in " + reply);
            }
            slipped += plain.slips() > 0 ? 1 : 0;
            checked += plain.statements() > 0 ? 1 : 0;
            System.arraycopy(dirty, 0, scratch, 0, reply.length());
        }
    }

    /** The reader as it was, on the string: {@link Arithmetic#read(String, int)} before it read from an array. */
    private static final class Plain {
        private Plain() {}

        static Arithmetic.Working read(String reply, int end) {
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
            return new Arithmetic.Working(statements, slips);
        }
        private static boolean plainEquals(String s, int at) {
            char before = at > 0 ? s.charAt(at - 1) : ' ';
            char after = at + 1 < s.length() ? s.charAt(at + 1) : ' ';
            return "=<>!:".indexOf(before) < 0 && "=>".indexOf(after) < 0;
        }
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
        private static boolean arithmetic(String s, int i) {
            char c = s.charAt(i);
            if (c == 'x') {
                return times(s, i);
            }
            if (isDigit(c) || c == ' ' || c == '$' || c == '(' || c == ')' || isOperator(c)) {
                return true;
            }
            return (c == '.' || c == ',') && i > 0 && i + 1 < s.length() && isDigit(s.charAt(i - 1))
                    && isDigit(s.charAt(
                            i + 1));
        }
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
        private static boolean isSign(char c) {
            return c == '+' || c == '-' || c == '−';
        }
        private static boolean isProduct(char c) {
            return switch (c) {
                case '*', 'x', '×', '·', '/', '÷' -> true;
                default -> false;
            };
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
        private static final class Parser {
            private final String s;
            private final int to;
            private int at;
            int operators;
            private boolean signed = true;
            private int decimals = -1;

            Parser(String s, int from, int to) {
                this.s = s;
                this.at = from;
                this.to = to;
            }
            double whole() {
                double v = expression();
                spaces();
                return at == to ? v : Double.NaN;
            }
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
}
