package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PhrasesTest {
    private static final String[] DOUBTS = {"round up", "Round up", "round down", "Round down", "round it",
            "round this", "fraction of a", "cannot have", "can't have", "whole number", "mistake", "re-evaluate",
            "recalculate", "doesn't make sense", "does not make sense", "not possible", "impossible", "incorrect",
            "reconsider", "contradict"};
    private static final String[] HEDGES = {"approximately", "assum", "not sure", "unclear", "cannot be determined"};

    @Test
    void findsAPhrase_atTheStart_inTheMiddle_andAtTheEnd() {
        Phrases doubts = new Phrases(DOUBTS);

        assertThat(doubts.in("mistake")).isTrue();
        assertThat(doubts.in("mistake, so 3 + 4 = 7")).isTrue();
        assertThat(doubts.in("3 + 4 = 7, a mistake")).isTrue();
        assertThat(doubts.in("so we round up to 8 buses")).isTrue();
        assertThat(doubts.in("so we round to 8 buses")).isFalse();
        assertThat(doubts.in("mistak")).isFalse();
        assertThat(doubts.in("")).isFalse();
        assertThat(doubts.in("Mistake")).as("case-sensitive").isFalse();
    }

    @Test
    void agreesWithAPlainSearch_onRandomTextsMadeOfPiecesOfThePhrases() {
        for (String[] set : new String[][]{DOUBTS, HEDGES, {"ab", "ba"}, {"xyz", "xyzw", "yz"}}) {
            Phrases phrases = new Phrases(set);
            Random random = new Random(set.length);
            for (int n = 0; n < 20_000; n++) {
                StringBuilder text = new StringBuilder();
                int pieces = random.nextInt(12);
                for (int k = 0; k < pieces; k++) {
                    String phrase = set[random.nextInt(set.length)];
                    int from = random.nextInt(phrase.length());
                    int to = from + random.nextInt(phrase.length() - from + 1);
                    text.append(random.nextInt(4) == 0 ? phrase : phrase.substring(from, to));
                    if (random.nextInt(3) == 0) {
                        text.append(" eé€\n".charAt(random.nextInt(5)));
                    }
                }
                String s = text.toString();
                boolean expected = Arrays.stream(set).anyMatch(s::contains);
                assertThat(phrases.in(s)).as("%s in '%s'", Arrays.toString(set), s).isEqualTo(expected);
            }
        }
    }

    @Test
    void refusesAPhraseOfOneCharacter() {
        assertThatThrownBy(() -> new Phrases("ab", "c")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("phrases must be at least 2 characters long");
    }
}
