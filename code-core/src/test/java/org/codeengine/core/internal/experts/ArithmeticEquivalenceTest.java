package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The working's arithmetic is read from a copy of the reply's characters, in an array the caller may share between
 * replies. These tests hold that reading to what the reader gave when it still read the string: the counts of
 * statements and slips, and a digest of every reply's pair of them, over every recorded reply of {@code ../shared/eval}
 * and over generated texts made to hit the edges of the reader (the string reader's figures, taken when both were
 * compared reply by reply before it was removed). Each reply is also read from its own array and from a shared array
 * longer than the reply and full of arithmetic that must not be read: the two readings must agree.
 */
class ArithmeticEquivalenceTest {
    @Test
    void everyRecordedReply_isReadAsTheStringReaderReadsIt() throws IOException {
        Checker check = new Checker();
        ReplyFormEquivalenceTest.eachRecordedReply(text -> {
            check.reply(text, ReplyForm.of(text, null).working());
            check.reply(text, text.length());
        });

        assertThat(check.mismatches).isEmpty();
        assertThat(check.replies).as("the 12 models' replies to 1,319 questions, twice").isGreaterThan(30_000);
        check.readAsTheStringReaderDid(112_352, 251, 1_351_065_888_025_381_561L);
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
        check.readAsTheStringReaderDid(176_248, 5_094, 3_165_706_369_795_360_848L);
        assertThat(check.slipped).as("texts that slip somewhere").isGreaterThan(1_000);
        assertThat(check.checked).as("texts with a statement").isGreaterThan(10_000);
    }

    /**
     * Reads each reply from its own array and from a shared array longer than the reply, left dirty, and sums what it
     * read.
     */
    private static final class Checker {
        final List<String> mismatches = new ArrayList<>();
        /** Arithmetic after the reply's end that a reader which ran past it would find. */
        private final char[] dirty = new char[64_000];
        private final char[] scratch = new char[dirty.length];
        int replies;
        long statements;
        long slips;
        long digest;
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
            Arithmetic.Working own = Arithmetic.read(reply, end);
            Arithmetic.Working shared = Arithmetic.read(reply, end, scratch);
            if (!shared.equals(own) && mismatches.size() < 10) {
                mismatches.add(shared + " from the shared array != " + own + " to " + end + " in " + reply);
            }
            statements += own.statements();
            slips += own.slips();
            digest = digest * 31 + own.statements() * 1_009L + own.slips();
            slipped += own.slips() > 0 ? 1 : 0;
            checked += own.statements() > 0 ? 1 : 0;
            System.arraycopy(dirty, 0, scratch, 0, reply.length());
        }

        /** Checks the sums against the string reader's: the statements, the slips, and the digest of every reply's. */
        void readAsTheStringReaderDid(long statements, long slips, long digest) {
            assertThat(this.statements).as("statements").isEqualTo(statements);
            assertThat(this.slips).as("slips").isEqualTo(slips);
            assertThat(this.digest).as("digest of each reply's statements and slips").isEqualTo(digest);
        }
    }
}
