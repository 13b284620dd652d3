package org.codeengine.core.internal.experts;

import java.util.List;
import java.util.Map;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;

/** Plain weighted majority of the extracted answers; ties go to the answer given first in panel order. */
public final class MajorityStrategy implements ConsensusStrategy {
    @Override
    public String name() {
        return "majority";
    }

    @Override
    public Verdict decide(List<Vote> votes, Reliability reliability) {
        Map<String, List<Integer>> groups = Ballots.byAnswer(votes);
        double[] scores = new double[groups.size()];
        double total = 0;
        int i = 0;
        for (List<Integer> voters : groups.values()) {
            for (int v : voters) {
                scores[i] += votes.get(v).weight();
            }
            total += scores[i++];
        }
        double best = 0;
        for (double s : scores) {
            best = Math.max(best, s);
        }
        return Ballots.verdict(votes, groups, scores, total == 0 ? 0 : best / total);
    }
}
