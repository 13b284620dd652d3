package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LearnedFitTest {
    /**
     * Ballots of two answers: the right answer's feature is 1 and the wrong one's 0 with the given chance
     * ({@code 0.5}: the feature says nothing), else the reverse.
     */
    private static LearnedFit fit(double informative, int ballots, long seed) {
        LearnedFit fit = new LearnedFit();
        int feature = fit.weight("feature", 0);
        Random random = new Random(seed);
        for (int b = 0; b < ballots; b++) {
            int right = random.nextInt(2);
            boolean tells = random.nextDouble() < informative;
            double first = (right == 0) == tells ? 1 : 0;
            fit.add(new LearnedFit.Ballot(List.of(new LearnedFit.Row(new int[]{feature}, new double[]{first}, 0),
                    new LearnedFit.Row(new int[]{feature}, new double[]{1 - first}, 0)), right));
        }
        return fit;
    }

    @Test
    void thePullIsChosenByCrossValidation_weakWhereTheDataSpeak_strongWhereTheyDoNot() {
        LearnedFit telling = fit(0.95, 256, 1);
        LearnedFit noise = fit(0.5, 256, 1);

        assertThat(telling.pull()).as("before the first choice").isEqualTo(LearnedFit.L2);
        double[] told = telling.solve(new double[]{0});
        noise.solve(new double[]{0});

        assertThat(telling.pull()).isLessThan(LearnedFit.L2).isIn(LearnedFit.PULLS[0], LearnedFit.PULLS[1],
                LearnedFit.PULLS[2]);
        assertThat(noise.pull()).isGreaterThan(LearnedFit.L2);
        assertThat(told[0]).as("the feature's weight, learned").isGreaterThan(2);
    }

    @Test
    void beforeEnoughBallots_thePullStaysAtItsStart() {
        LearnedFit few = fit(0.95, LearnedFit.CROSS_VALIDATE_FROM - 1, 2);

        few.solve(new double[]{0});

        assertThat(few.pull()).isEqualTo(LearnedFit.L2);
    }
}
