package org.codeengine.core.internal.experts;

import java.util.List;
import java.util.Map;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Vote;

/**
 * One way to score the distinct answers of a ballot. The default strategy ({@link ReliabilityStrategy}) keeps several
 * and uses the one with the best record on the questions whose truth was reported.
 */
interface Rule {
    /** {@return the rule's name, as it appears in a result's rationale and in the circle's record} */
    String name();

    /**
     * {@return a score per answer, in the order of {@code groups} (higher is better), and the rule's own estimate that
     *         the best is right (before calibration)}
     *
     * @param votes the ballot
     * @param groups its distinct answers with their voters ({@link Ballots#byAnswer})
     * @param reliability the experts' records
     */
    Scored score(List<Vote> votes, Map<String, List<Integer>> groups, Reliability reliability);

    /**
     * @param scores a score per distinct answer
     * @param confidence the estimate, 0 to 1, that the best is right
     */
    record Scored(double[] scores, double confidence) {}

    /** A rule made of a name and a scoring function. */
    record Named(String name, Scorer scorer) implements Rule {
        @Override
        public Scored score(List<Vote> votes, Map<String, List<Integer>> groups, Reliability reliability) {
            return scorer.score(votes, groups, reliability);
        }
    }

    /** The scoring function of a {@link Named} rule. */
    @FunctionalInterface
    interface Scorer {
        /** @see Rule#score */
        Scored score(List<Vote> votes, Map<String, List<Integer>> groups, Reliability reliability);
    }

    /** Plain majority of the votes' weights; confidence: the winner's share. */
    Rule MAJORITY = new Named("majority", (votes, groups, reliability) -> {
        double[] scores = new double[groups.size()];
        double total = 0;
        double best = 0;
        int i = 0;
        for (List<Integer> voters : groups.values()) {
            for (int v : voters) {
                scores[i] += votes.get(v).weight();
            }
            total += scores[i];
            best = Math.max(best, scores[i++]);
        }
        return new Scored(scores, total == 0 ? 0 : best / total);
    });

    /**
     * The answer of the member with the best record that answered; confidence: that member's record. This is the
     * baseline a host would otherwise pick by hand: ask only its best model.
     */
    Rule BEST_MEMBER = new Named("best-member", (votes, groups, reliability) -> {
        double[] scores = new double[groups.size()];
        int bestGroup = 0;
        double bestChance = -1;
        int i = 0;
        for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
            for (int v : group.getValue()) {
                double p = ScatterRule.chance(reliability, votes.get(v).expert(), Ballots.shape(group.getKey()));
                if (p > bestChance) {
                    bestChance = p;
                    bestGroup = i;
                }
            }
            i++;
        }
        scores[bestGroup] = 1;
        return new Scored(scores, Math.max(0, bestChance));
    });
}
