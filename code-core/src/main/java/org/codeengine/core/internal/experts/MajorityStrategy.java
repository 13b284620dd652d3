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
        Rule.Scored scored = Rule.MAJORITY.score(votes, groups, reliability);
        return Ballots.verdict(votes, groups, scored.scores(), scored.confidence());
    }
}
