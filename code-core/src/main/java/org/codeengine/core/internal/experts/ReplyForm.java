package org.codeengine.core.internal.experts;

import org.jspecify.annotations.Nullable;

/**
 * How a reply carries its answer, read from its text: whether it gave the answer field it was asked for, whether it
 * was cut off, whether the last number of its reasoning is the answer it gave, whether it hedges, and its length. These
 * are the reply features of the {@link LearnedRule}.
 *
 * @param field whether the reply has a JSON {@code "answer"} field
 * @param cutOff whether the reply opened a JSON object and does not end by closing it (or a code fence): cut off
 * @param agreement 1 if the last number before the answer field is the answer, -1 if it is another number, 0 if there
 *        is no such number or the answer is not a number
 * @param hedged whether the reply says it approximates, assumes or is unsure
 * @param doubts whether the reply doubts its own result ({@link #doubts(String)})
 * @param length the reply's length in characters
 * @param working where the reply's working ends: at its answer field, or its end
 */
record ReplyForm(boolean field, boolean cutOff, int agreement, boolean hedged, boolean doubts, int length,
        int working) {
    private static final String FIELD = "\"answer\"";
    /** Hedges: the reply says it approximates, assumes or is unsure. */
    static final String[] HEDGES = {"approximately", "assum", "not sure", "unclear", "cannot be determined"};
    /**
     * Doubts: the reply had to force its result into shape (round a count up or down, say a fraction of a thing cannot
     * be), or says its own working went wrong (a mistake, something impossible or that makes no sense, a contradiction,
     * a recalculation). A reply whose numbers came out right has no cause to write these.
     */
    static final String[] DOUBTS = {"round up", "Round up", "round down", "Round down", "round it", "round this",
            "fraction of a", "cannot have", "can't have", "whole number", "mistake", "re-evaluate", "recalculate",
            "doesn't make sense", "does not make sense", "not possible", "impossible", "incorrect", "reconsider",
            "contradict"};
    /**
     * Both sets, found in one reading, by the fewest of the rarest letters in the recorded replies that anchor every
     * phrase: x, k, b (0.2 to 1 % of their characters), then u and c (under 2 %), which the round-ups and the words made
     * of common letters ("incorrect", "reconsider", "contradict") need. The v of "cannot have" and "re-evaluate" is
     * rarer than their c and u, but a search of its own costs more than the places of c and u those phrases add.
     */
    private static final Phrases PHRASES = new Phrases("xkbuc", HEDGES, DOUBTS);
    private static final int HEDGED = 1;
    private static final int DOUBTED = 2;

    /**
     * {@return the reply's form}
     *
     * @param reply the raw reply
     * @param answer its extracted, normalised answer
     */
    static ReplyForm of(String reply, @Nullable String answer) {
        return of(reply, answer, answer != null && Ballots.numeric(answer));
    }

    /**
     * As {@link #of(String, String)}, for a caller that knows already whether the answer is a number: each feature is
     * read without a regular expression and without copying the reply.
     *
     * @param numeric whether {@code answer} is a number ({@link Ballots#numeric})
     */
    static ReplyForm of(String reply, @Nullable String answer, boolean numeric) {
        int at = Answers.find(reply, FIELD, 0);
        boolean field = at >= 0;
        int end = reply.length() - 1;
        while (end >= 0 && Character.isWhitespace(reply.charAt(end))) {
            end--;
        }
        boolean cutOff = end >= 0 && reply.charAt(end) != '}' && reply.charAt(end) != '`' && reply.indexOf('{') >= 0;
        int agreement = field && answer != null && numeric ? agreement(reply, at, answer) : 0;
        int phrases = PHRASES.in(reply);
        return new ReplyForm(field, cutOff, agreement, (phrases & HEDGED) != 0, (phrases & DOUBTED) != 0, reply
                .length(), field ? at : reply.length());
    }

    /**
     * {@return whether the reply doubts its own result: it rounds a count, says a fraction of a thing cannot be, or says
     *         its working went wrong}
     *
     * @param reply the raw reply
     */
    static boolean doubts(String reply) {
        return (PHRASES.in(reply) & DOUBTED) != 0;
    }

    /**
     * Whether the last number before {@code before} is {@code answer}, a number: 1 yes, -1 another number, 0 no number.
     */
    private static int agreement(String reply, int before, String answer) {
        int last = before - 1;
        while (last >= 0 && !isDigit(reply.charAt(last))) {
            last--;
        }
        if (last < 0) {
            return 0;
        }
        return writtenIs(reply, numberStart(reply, last), last + 1, answer) ? 1 : -1;
    }

    /**
     * @param last where a digit stands
     * @return where the number that ends there starts: its digits, the commas and points between them, and a minus sign
     *         that does not follow a digit
     */
    static int numberStart(String reply, int last) {
        int first = last;
        while (first > 0 && (isDigit(reply.charAt(first - 1)) || ((reply.charAt(first - 1) == ','
                || reply.charAt(first - 1) == '.') && first > 1 && isDigit(reply.charAt(first - 2))))) {
            first--;
        }
        if (first > 0 && reply.charAt(first - 1) == '-' && (first < 2 || !isDigit(reply.charAt(first - 2)))) {
            first--;
        }
        return first;
    }

    /**
     * Whether the number written at {@code reply[from, to)} reads as {@code answer}, as {@link Answers#number} reads
     * it, compared in place. The text there is an optional {@code -}, then runs of digits joined by single commas or
     * points, and that reading is: the sign; the integer part, with thousands separators ({@code 1,234,567}) only if
     * its first run has at most three digits and each group after a comma has three (else the first run alone); then
     * the decimals after a point; canonical: no leading zeros, no trailing zeros in the decimals, {@code 0} unsigned.
     */
    static boolean writtenIs(String reply, int from, int to, String answer) {
        boolean negative = reply.charAt(from) == '-';
        int start = negative ? from + 1 : from;
        int whole = digitsEnd(reply, start, to);
        if (whole - start <= 3 && group(reply, whole, to)) {
            while (group(reply, whole, to)) {
                whole += 4;
            }
        }
        int decimals = whole;
        int decimalsEnd = whole;
        if (whole + 1 < to && reply.charAt(whole) == '.' && isDigit(reply.charAt(whole + 1))) {
            decimals = whole + 1;
            decimalsEnd = digitsEnd(reply, decimals, to);
            while (decimalsEnd > decimals && reply.charAt(decimalsEnd - 1) == '0') {
                decimalsEnd--;
            }
        }
        int significant = start;
        while (significant < whole && (reply.charAt(significant) == '0' || reply.charAt(significant) == ',')) {
            significant++;
        }
        if (significant == whole && decimalsEnd == decimals) {
            return answer.equals("0");
        }
        int a = 0;
        if (negative) {
            if (answer.isEmpty() || answer.charAt(0) != '-') {
                return false;
            }
            a++;
        }
        if (significant == whole) {
            if (a >= answer.length() || answer.charAt(a++) != '0') {
                return false;
            }
        }
        for (int i = significant; i < whole; i++) {
            char c = reply.charAt(i);
            if (c != ',' && (a >= answer.length() || answer.charAt(a++) != c)) {
                return false;
            }
        }
        if (decimalsEnd > decimals) {
            if (a >= answer.length() || answer.charAt(a++) != '.') {
                return false;
            }
            for (int i = decimals; i < decimalsEnd; i++) {
                if (a >= answer.length() || answer.charAt(a++) != reply.charAt(i)) {
                    return false;
                }
            }
        }
        return a == answer.length();
    }

    /** {@return whether a thousands group, a comma and three digits, stands at {@code at} before {@code to}} */
    private static boolean group(String s, int at, int to) {
        return at + 3 < to && s.charAt(at) == ',' && isDigit(s.charAt(at + 1)) && isDigit(s.charAt(at + 2))
                && isDigit(s.charAt(at + 3));
    }

    /** {@return the end of the run of digits from {@code from}, at most {@code to}} */
    private static int digitsEnd(String s, int from, int to) {
        int i = from;
        while (i < to && isDigit(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /**
     * {@return whether the reply writes that number in its working (before its answer field, if it has one), as a
     *         whole number token: not as part of a longer number}
     *
     * @param reply a reply
     * @param number a number, canonical
     */
    static boolean mentions(String reply, String number) {
        return of(reply, null).writes(reply, number);
    }

    /**
     * {@return as {@link #mentions(String, String)}}
     *
     * @param reply the reply this is the form of
     * @param number a number, canonical
     */
    boolean writes(String reply, String number) {
        int end = working;
        for (int at = reply.indexOf(number); at >= 0 && at < end; at = reply.indexOf(number, at + 1)) {
            int after = at + number.length();
            boolean startsToken = at == 0 || !(isDigit(reply.charAt(at - 1)) || reply.charAt(at - 1) == '.');
            boolean endsToken = after >= reply.length() || !(isDigit(reply.charAt(after)) || (after + 1 < reply
                    .length() && (reply.charAt(after) == '.' || reply.charAt(after) == ',') && isDigit(reply.charAt(
                            after + 1))));
            if (startsToken && endsToken) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the reply's answer field holds more than a number: words, units, a second figure or a remark beside it
     * ({@code "315 miles (from the point where John turned around)"}, {@code "$37,500/year"}), where a sure reply
     * writes the bare number ({@code "18"}, {@code "$1,800"}, {@code "-2.5"}, {@code "40%"}). A reply with no answer field
     * is not loose: that is {@link #field}'s signal.
     *
     * @param reply the raw reply
     * @return whether its answer field is loose
     */
    static boolean looseField(String reply) {
        return looseField(reply, reply.indexOf(FIELD));
    }

    /**
     * {@return as {@link #looseField(String)}, with the answer field this form found}
     *
     * @param reply the reply this is the form of
     */
    boolean loose(String reply) {
        return looseField(reply, field ? working : -1);
    }

    /** @param at where the reply's first answer field starts, or -1 */
    private static boolean looseField(String reply, int at) {
        if (at < 0) {
            return false;
        }
        int i = at + FIELD.length();
        while (i < reply.length() && (Character.isWhitespace(reply.charAt(i)) || reply.charAt(i) == ':')) {
            i++;
        }
        boolean quoted = i < reply.length() && reply.charAt(i) == '"';
        int start = quoted ? i + 1 : i;
        int end = start;
        while (end < reply.length() && reply.charAt(end) != '"' && reply.charAt(end) != '\n' && (quoted || (reply
                .charAt(end) != ',' && reply.charAt(end) != '}'))) {
            end++;
        }
        String value = reply.substring(start, end).strip();
        int k = value.startsWith("$") ? 1 : 0;
        k += k < value.length() && value.charAt(k) == '-' ? 1 : 0;
        int digits = 0;
        for (; k < value.length(); k++) {
            char c = value.charAt(k);
            if (isDigit(c)) {
                digits++;
            } else if (!(c == ',' || c == '.') && !(c == '%' && k == value.length() - 1)) {
                return true;
            }
        }
        return digits == 0;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
