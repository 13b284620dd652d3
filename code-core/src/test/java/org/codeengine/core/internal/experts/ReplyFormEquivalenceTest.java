package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reply features the learned rule reads are read without regular expressions, and by the JDK's search for one
 * character rather than for a string; these tests hold them to the plain form they replaced ({@link Plain}, kept here
 * as it was): every field of every form the same, on the recorded replies of {@code ../shared/eval} and on generated
 * texts made to hit the edges of the readers.
 */
class ReplyFormEquivalenceTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void everyRecordedReply_isReadAsThePlainFormReadsIt() throws IOException {
        Checker check = new Checker();
        eachRecordedQuestion(row -> {
            Set<String> answers = new LinkedHashSet<>(List.of(row.get("gold").asString()));
            List<String> replies = new ArrayList<>();
            for (Map.Entry<String, JsonNode> reply : row.get("answers").properties()) {
                replies.add(reply.getValue().asString());
                String answer = Answers.auto(reply.getValue().asString());
                if (answer != null) {
                    answers.add(answer); // each reply is read with every answer of its question, as the rule does
                }
            }
            for (String reply : replies) {
                check.reply(reply, answers);
            }
        });

        assertThat(check.mismatches).isEmpty();
        assertThat(check.replies).as("the 12 models' replies to 1,319 questions").isGreaterThan(15_000);
        assertThat(check.seen).as("agrees, disagrees, field, cut off, hedged, doubts: each read both ways somewhere")
                .containsExactlyInAnyOrder("agreement 1", "agreement -1", "agreement 0", "field", "no field",
                        "cut off", "not cut off", "hedged", "not hedged", "doubts", "no doubts");
    }

    @Test
    void generatedTexts_atTheEdgesOfNumbersFieldsAndHedges_areReadAsThePlainFormReadsThem() {
        String[] pieces = {"0", "00", "7", "12", "123", "1234", "4500", "0.50", "1.", ".5", ",", ",000", ",00", ",0000",
                ".", "..", "-", "--", "−", " ", "\n", "\t", "\u2028", "$", "%", "/", "e5", "E", "x", "u", "b", "w", "a",
                "é", "{", "}", "`", "\"", ":", "\"answer\"", "\"answer\": ", "answer", "\"answe", "approximately",
                "approximatel", "assum", "assu", "ssum", "not sure", "not sur", "unclear", "nclear",
                "cannot be determined",
                "cannot be determine", "so it is ", " = ", "1,234,567", "1,2345", "12,34", "0,123", "-0", "-0.0",
                "3/4", "1e3", "round", "Round", "ound", " up", " down", " it", " this", "around", "fraction of a",
                "fraction of", "cannot have", "can't have", "an't", " have", "whole number", "whole numbe", "mistake",
                "mistak", "istake", "re-evaluate", "recalculate", "recalculat", "doesn't make sense", "does not",
                " make sense", "make sens", "not possible", "impossible", "possible", "incorrect", "incorrec",
                "reconsider", "contradict", "contradic", "ontradict", "keep", "co", "c", "k", "v", "ca", "can",
                "an't have",
                "-evaluate", "re-", "valuate", "uate", "uc", "cu", "ul", "uu", "cc", "ucé", "cé", "ué"};
        Random random = new Random(20);
        Checker check = new Checker();
        for (int i = 0; i < 40_000; i++) {
            String reply = generated(random, pieces, 24);
            String last = Plain.lastNumber(reply);
            Set<String> answers = new LinkedHashSet<>(List.of("0", "7", "-7", "12", "1234", "0.5", "3/4", "B", "text"));
            if (last != null) {
                answers.add(last);
                answers.add("-" + last);
                answers.add(last + "0");
                answers.add(last.substring(1).isEmpty() ? "1" : last.substring(1));
            }
            check.reply(reply, answers);
        }

        assertThat(check.mismatches).isEmpty();
        assertThat(check.seen).containsExactlyInAnyOrder("agreement 1", "agreement -1", "agreement 0", "field",
                "no field", "cut off", "not cut off", "hedged", "not hedged", "doubts", "no doubts");
    }

    /** Compares the two forms of a reply read with each of a question's answers (its own among them) and none. */
    private static final class Checker {
        final List<String> mismatches = new ArrayList<>();
        final Set<String> seen = new LinkedHashSet<>();
        int replies;

        void reply(String reply, Set<String> answers) {
            replies++;
            compare(reply, null);
            for (String answer : answers) {
                compare(reply, answer);
            }
        }

        private void compare(String reply, @Nullable String answer) {
            ReplyForm plain = Plain.of(reply, answer);
            ReplyForm form = ReplyForm.of(reply, answer);
            if (!form.equals(plain) && mismatches.size() < 10) {
                mismatches.add(form + " != plain " + plain + " for answer " + answer + " in " + reply);
            }
            seen.add("agreement " + plain.agreement());
            seen.add(plain.field() ? "field" : "no field");
            seen.add(plain.cutOff() ? "cut off" : "not cut off");
            seen.add(plain.hedged() ? "hedged" : "not hedged");
            seen.add(plain.doubts() ? "doubts" : "no doubts");
        }
    }

    /**
     * The plain form of {@link ReplyForm#of(String, String)}: a string search per phrase and a regular expression.
     */
    private static final class Plain {
        private static final String FIELD = "\"answer\"";

        static ReplyForm of(String reply, @Nullable String answer) {
            int at = reply.indexOf(FIELD);
            boolean field = at >= 0;
            int end = reply.length() - 1;
            while (end >= 0 && Character.isWhitespace(reply.charAt(end))) {
                end--;
            }
            boolean cutOff = end >= 0 && reply.indexOf('{') >= 0 && reply.charAt(end) != '}' && reply.charAt(
                    end) != '`';
            int agreement = field && answer != null ? agreement(reply, at, answer) : 0;
            return new ReplyForm(field, cutOff, agreement, holdsOne(reply, ReplyForm.HEDGES), holdsOne(reply,
                    ReplyForm.DOUBTS), reply.length(), field ? at : reply.length());
        }

        private static boolean holdsOne(String reply, String[] phrases) {
            for (String phrase : phrases) {
                if (reply.contains(phrase)) {
                    return true;
                }
            }
            return false;
        }

        private static int agreement(String reply, int before, String answer) {
            if (!Ballots.numeric(answer)) {
                return 0;
            }
            String number = lastNumber(reply, before);
            return number == null ? 0 : number.equals(answer) ? 1 : -1;
        }

        /** {@return the last number before the answer field (or the end), read by {@link Answers#number}} */
        static @Nullable String lastNumber(String reply) {
            int at = reply.indexOf(FIELD);
            return lastNumber(reply, at >= 0 ? at : reply.length());
        }

        private static @Nullable String lastNumber(String reply, int before) {
            int last = before - 1;
            while (last >= 0 && !isDigit(reply.charAt(last))) {
                last--;
            }
            if (last < 0) {
                return null;
            }
            return Answers.number(reply.substring(ReplyForm.numberStart(reply, last), last + 1));
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    /**
     * Reads the recorded questions of {@code ../shared/eval}: each row holds a question's {@code gold} answer and its
     * {@code answers}, the reply of each model by name.
     *
     * @param row what is done with each row
     */
    static void eachRecordedQuestion(Consumer<JsonNode> row) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(
                evalData())), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isBlank()) {
                    row.accept(JSON.readTree(line));
                }
            }
        }
    }

    /** Gives {@code reply} the text of every recorded reply of {@code ../shared/eval}, question by question. */
    static void eachRecordedReply(Consumer<String> reply) throws IOException {
        eachRecordedQuestion(row -> row.get("answers").properties().forEach(r -> reply.accept(r.getValue()
                .asString())));
    }

    /** {@return a text of one to {@code most} pieces, each drawn at random} */
    static String generated(Random random, String[] pieces, int most) {
        StringBuilder text = new StringBuilder();
        for (int n = 1 + random.nextInt(most); n > 0; n--) {
            text.append(pieces[random.nextInt(pieces.length)]);
        }
        return text.toString();
    }

    /** {@return the recorded replies of {@code ../shared/eval}, found from the working directory up} */
    static Path evalData() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("shared/eval"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("../shared/eval beside the project").isNotNull();
        return dir.resolve("shared/eval/gsm8k-experts.jsonl.gz");
    }
}
