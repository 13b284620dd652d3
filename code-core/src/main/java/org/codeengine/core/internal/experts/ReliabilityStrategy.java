package org.codeengine.core.internal.experts;

import java.util.List;
import java.util.Map;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;

/**
 * The default: each answer scores the log-odds that its voters are right, summed, where an expert's chance of being
 * right is read from its record against reported truth in the situation of this vote: overall, then given how many
 * other experts agree with it, then given the answer's shape, each level shrunk toward the one before (so a thin
 * record counts for little). With no record at all every expert is assumed right 70% of the time, which makes this a
 * weighted majority vote. The confidence is the winning answer's share of the posterior, against a "none of these"
 * option.
 */
public final class ReliabilityStrategy implements ConsensusStrategy {
    private static final double PRIOR = 0.7;
    private static final double PRIOR_STRENGTH = 2;
    private static final double SHRINK = 4;

    @Override
    public String name() {
        return "reliability";
    }

    @Override
    public Verdict decide(List<Vote> votes, Reliability reliability) {
        Map<String, List<Integer>> groups = Ballots.byAnswer(votes);
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
        return Ballots.verdict(votes, groups, scores, Ballots.posterior(scores));
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
