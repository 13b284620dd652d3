package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * A plain number ({@code 18}, {@code -$1,800.50}) is read without the regular expression, and any number the
 * expression finds without an exponent, a fraction or a percent sign is written canonical without big decimals. These
 * tests hold both to what the reader gave when every number went through the expression and {@code BigDecimal}: a
 * digest of the answers read from every recorded reply of {@code ../shared/eval}, and of generated texts made of the
 * pieces numbers are written with (the figures taken from the reader before the fast paths, on the same texts).
 * The figures were taken again when answers in notation learned relations, lists and one-letter variables: of the
 * 15,828 recorded replies, 11 answer fields changed, each from a number taken out of an expression, a list or prose
 * ({@code x + 3} was 3, {@code 86, 42} was 86) to the expression itself; none of the 11 was right before. Reading the
 * inline mathematics of a sentence ({@code The answer is $\frac{3}{4}$.}) changed no recorded reply, only generated
 * texts with two dollar signs; holding a one-letter variable to a number, a bracket or another one-letter variable
 * across its sign ({@code T-shirt 15} is not an expression) changed only generated texts.
 */
class AnswersEquivalenceTest {
    @Test
    void everyRecordedReply_isReadAsTheExpressionReadIt() throws IOException {
        Digest digest = new Digest();
        ReplyFormEquivalenceTest.eachRecordedReply(text -> {
            digest.add(Answers.auto(text));
            digest.add(Answers.number(text, true));
        });

        assertThat(digest.count).as("the 12 models' replies to 1,319 questions, twice").isGreaterThan(30_000);
        assertThat(digest.value).as("digest of every answer read").isEqualTo(544_460_895_542_655_388L);
    }

    @Test
    void generatedNumbers_atTheEdgesOfSignsSeparatorsAndDecimals_areReadAsTheExpressionReadThem() {
        String[] pieces = {"0", "00", "7", "12", "123", "1234", "1,000", "1,0000", "12,34", ",", ".", "..", ".5",
                "1.", "2.50", "0.0", "$", "-", "−", "+", " ", "e5", "E-2", "/", "/4", "%", "a", "x", "(", ")", "\n"};
        Random random = new Random(22);
        Digest digest = new Digest();
        for (int i = 0; i < 200_000; i++) {
            String value = ReplyFormEquivalenceTest.generated(random, pieces, 6);
            digest.add(Answers.number(value, false));
            digest.add(Answers.number(value, true));
            digest.add(Answers.shaped(value));
        }

        assertThat(digest.value).as("digest of every number read").isEqualTo(-4_116_401_772_719_581_261L);
    }

    /** A digest of a sequence of answers, null included. */
    private static final class Digest {
        long value;
        int count;

        void add(@Nullable String answer) {
            value = value * 31 + (answer == null ? 7 : answer.hashCode() + answer.length());
            count++;
        }
    }
}
