package org.codeengine.core.internal.experts;

import org.jspecify.annotations.Nullable;

/**
 * How a reply carries its answer, read from its text in one pass over its end: whether it gave the answer field it was
 * asked for, whether it was cut off, whether the last number of its reasoning is the answer it gave, whether it hedges,
 * and its length. These are the reply features of the {@link LearnedRule}.
 *
 * @param field whether the reply has a JSON {@code "answer"} field
 * @param cutOff whether the reply opened a JSON object and does not end by closing it (or a code fence): cut off
 * @param agreement 1 if the last number before the answer field is the answer, -1 if it is another number, 0 if there
 *        is no such number or the answer is not a number
 * @param hedged whether the reply says it approximates, assumes or is unsure
 * @param length the reply's length in characters
 * @param working where the reply's working ends: at its answer field, or its end
 */
record ReplyForm(boolean field, boolean cutOff, int agreement, boolean hedged, int length, int working) {
    private static final String FIELD = "\"answer\"";
    private static final String[] HEDGES = {"approximately", "assum", "not sure", "unclear", "cannot be determined"};

    /**
     * @param reply the raw reply
     * @param answer its extracted, normalised answer
     * @return the reply's form
     */
    static ReplyForm of(String reply, @Nullable String answer) {
        int at = reply.indexOf(FIELD);
        boolean field = at >= 0;
        int end = reply.length() - 1;
        while (end >= 0 && Character.isWhitespace(reply.charAt(end))) {
            end--;
        }
        boolean cutOff = end >= 0 && reply.indexOf('{') >= 0 && reply.charAt(end) != '}' && reply.charAt(end) != '`';
        int agreement = field && answer != null ? agreement(reply, at, answer) : 0;
        boolean hedged = false;
        for (String hedge : HEDGES) {
            if (reply.indexOf(hedge) >= 0) {
                hedged = true;
                break;
            }
        }
        return new ReplyForm(field, cutOff, agreement, hedged, reply.length(), field ? at : reply.length());
    }

    /** Whether the last number before {@code before} is {@code answer}: 1 yes, -1 another number, 0 none or no number. */
    private static int agreement(String reply, int before, String answer) {
        if (!Ballots.numeric(answer)) {
            return 0;
        }
        int last = before - 1;
        while (last >= 0 && !isDigit(reply.charAt(last))) {
            last--;
        }
        if (last < 0) {
            return 0;
        }
        int first = last;
        while (first > 0 && (isDigit(reply.charAt(first - 1)) || ((reply.charAt(first - 1) == ','
                || reply.charAt(first - 1) == '.') && first > 1 && isDigit(reply.charAt(first - 2))))) {
            first--;
        }
        if (first > 0 && reply.charAt(first - 1) == '-' && (first < 2 || !isDigit(reply.charAt(first - 2)))) {
            first--;
        }
        String number = Answers.number(reply.substring(first, last + 1));
        return number == null ? 0 : number.equals(answer) ? 1 : -1;
    }

    /**
     * @param reply a reply
     * @param number a number, canonical
     * @return whether the reply writes that number in its working (before its answer field, if it has one), as a
     *         whole number token: not as part of a longer number
     */
    static boolean mentions(String reply, String number) {
        return of(reply, null).writes(reply, number);
    }

    /**
     * @param reply the reply this is the form of
     * @param number a number, canonical
     * @return as {@link #mentions(String, String)}
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
        int at = reply.indexOf(FIELD);
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
