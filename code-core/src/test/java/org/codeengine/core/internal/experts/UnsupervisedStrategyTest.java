package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Vote;
import org.junit.jupiter.api.Test;

class UnsupervisedStrategyTest {
    @Test
    void aRefitLeftForTheNextRead_givesTheModelAnEagerRefitGives() {
        UnsupervisedStrategy lazy = new UnsupervisedStrategy(100);
        UnsupervisedStrategy eager = new UnsupervisedStrategy(100);
        Random random = new Random(7);
        List<List<Vote>> ballots = new ArrayList<>();
        for (int n = 0; n < 400; n++) {
            ballots.add(ballot(random, n % 9 == 0));
        }
        for (int n = 0; n < ballots.size(); n++) {
            lazy.learn(ballots.get(n));
            eager.learn(ballots.get(n));
            eager.chances(); // reads the model after every ballot: each refit runs when it is due
            if (n % 37 == 0) {
                assertThat(lazy.chances()).as("after ballot %d", n).isEqualTo(eager.chances());
            }
        }
        assertThat(lazy.chances()).isEqualTo(eager.chances()).isNotEmpty();
        List<Vote> last = ballots.getLast();
        assertThat(lazy.decide(last, Reliability.none())).isEqualTo(eager.decide(last, Reliability.none()));
    }

    @Test
    void aHistoryWithNoAnswerYet_isRefittedOnTheFirstBallotWithOne() {
        UnsupervisedStrategy strategy = new UnsupervisedStrategy(50);
        List<Vote> unanswered = List.of(new Vote("a", "p", null, "", 1), new Vote("b", "p", null, "", 1));
        for (int n = 0; n < 30; n++) {
            strategy.learn(unanswered);
        }
        assertThat(strategy.chances()).isEmpty();

        strategy.learn(List.of(new Vote("a", "p", "1", "", 1), new Vote("b", "p", "1", "", 1)));

        assertThat(strategy.chances()).containsOnlyKeys("a", "b");
    }

    /** Four experts of different skill on a question whose right answer is 1; none answer if {@code empty}. */
    private static List<Vote> ballot(Random random, boolean empty) {
        double[] skill = {0.9, 0.7, 0.6, 0.4};
        List<Vote> votes = new ArrayList<>();
        for (int e = 0; e < skill.length; e++) {
            String answer = empty ? null : random.nextDouble() < skill[e] ? "1" : String.valueOf(2 + random.nextInt(3));
            votes.add(new Vote("expert-" + e, "p", answer, "", 1));
        }
        return votes;
    }
}
