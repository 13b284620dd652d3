package org.codeengine.core.internal.experts;

import java.util.List;
import java.util.Map;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Vote;

/**
 * The earlier default: each answer scores the two-answer log-odds that its voters are right, summed, where an expert's
 * chance of being right is read from its record overall, then given how many other experts agree with it, then given
 * the answer's shape, each level shrunk toward the one before. Kept as one of the rules the default strategy chooses
 * from: where wrong answers rarely coincide and every expert is right more often than not, it does well. Its weakness
 * (the cause of issue 20): a weight is clamped to a floor once an expert is right half the time or less, so a
 * committee of such experts becomes a plain vote, however much better one of them is.
 */
final class LogOddsRule implements Rule {
    private static final double PRIOR = 0.7;
    private static final double PRIOR_STRENGTH = 2;
    private static final double SHRINK = 4;

    @Override
    public String name() {
        return "log-odds";
    }

    @Override
    public Scored score(List<Vote> votes, Map<String, List<Integer>> groups, Reliability reliability) {
        double[] scores = new double[groups.size()];
        int i = 0;
        for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
            int others = group.getValue().size() - 1;
            String support = Ballots.support(others, votes.size());
            String shape = Ballots.shape(group.getKey());
            for (int v : group.getValue()) {
                Vote vote = votes.get(v);
                double p = chance(reliability, vote.expert(), support, shape);
                scores[i] += vote.weight() * Ballots.voteWeight(p);
            }
            i++;
        }
        return new Scored(scores, Ballots.posterior(scores));
    }

    /** The expert's chance of being right in this situation, from its record, shrunk level by level. */
    static double chance(Reliability reliability, String expert, String support, String shape) {
        Reliability.Record all = reliability.of(expert, Ballots.ALL);
        double p = (all.correct() + PRIOR * PRIOR_STRENGTH) / (all.answered() + PRIOR_STRENGTH);
        Reliability.Record bySupport = reliability.of(expert, support);
        p = (bySupport.correct() + SHRINK * p) / (bySupport.answered() + SHRINK);
        Reliability.Record byShape = reliability.of(expert, shape);
        p = (byShape.correct() + SHRINK * p) / (byShape.answered() + SHRINK);
        return Math.clamp(p, 0.001, 0.999);
    }
}
