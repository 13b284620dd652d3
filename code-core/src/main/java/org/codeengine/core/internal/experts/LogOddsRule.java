package org.codeengine.core.internal.experts;

import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleBiFunction;
import java.util.function.ToDoubleFunction;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Vote;

/**
 * The earlier default: each answer scores the two-answer log-odds that its voters are right, summed, where an expert's
 * chance of being right is read from its record overall, then given how many other experts agree with it, then given
 * the answer's shape, each level shrunk toward the one before. Kept as one of the rules the default strategy chooses
 * from: where wrong answers rarely coincide and every expert is right more often than not, it does well. Its weakness
 * (the cause of issue 20): a weight is clamped to a floor once an expert is right half the time or less, so a
 * committee of such experts becomes a plain vote, however much better one of them is. Its discounted form counts a
 * voter that repeats an earlier voter's mistakes for less ({@link #independence}).
 */
final class LogOddsRule implements Rule {
    private static final double PRIOR = 0.7;
    private static final double PRIOR_STRENGTH = 2;
    private static final double SHRINK = 4;

    private final boolean discounted;

    /**
     * @param discounted whether a voter's weight is discounted by how far it repeats an earlier voter's mistakes
     *        ({@link #independence}), as learned from reported truth
     */
    LogOddsRule(boolean discounted) {
        this.discounted = discounted;
    }

    @Override
    public String name() {
        return discounted ? "discounted-log-odds" : "log-odds";
    }

    @Override
    public Scored score(List<Vote> votes, Map<String, List<Integer>> groups, Reliability reliability) {
        double[] scores = new double[groups.size()];
        int i = 0;
        for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
            List<Integer> voters = group.getValue();
            String support = Ballots.support(voters.size() - 1, votes.size());
            String shape = Ballots.shape(group.getKey());
            for (int n = 0; n < voters.size(); n++) {
                Vote vote = votes.get(voters.get(n));
                double p = chance(reliability, vote.expert(), support, shape);
                double independent = discounted
                        ? independence(votes, voters, n, (earlier, later) -> ScatterRule
                                .collision(reliability, earlier, later),
                                earlier -> ScatterRule.usualCollision(reliability,
                                        earlier))
                        : 1;
                scores[i] += vote.weight() * independent * Ballots.voteWeight(p);
            }
            i++;
        }
        return new Scored(scores, Ballots.posterior(scores));
    }

    /**
     * How much of the {@code n}-th voter of an answer is independent evidence: 1 less how far it repeats the mistakes
     * of the earlier voter it copies most, beyond the rate at which that voter's mistakes are repeated by anyone. A copy
     * adds nothing, an expert that repeats mistakes no more than usual adds its whole weight.
     *
     * @param collision how often {@code later} gave {@code earlier}'s answer when {@code earlier} was wrong
     * @param usual how often anyone gave {@code earlier}'s answer when it was wrong
     */
    static double independence(List<Vote> votes, List<Integer> voters, int n,
            ToDoubleBiFunction<String, String> collision, ToDoubleFunction<String> usual) {
        double independent = 1;
        String expert = votes.get(voters.get(n)).expert();
        for (int k = 0; k < n; k++) {
            String earlier = votes.get(voters.get(k)).expert();
            double rate = usual.applyAsDouble(earlier);
            double excess = (collision.applyAsDouble(earlier, expert) - rate) / (1 - rate);
            independent = Math.min(independent, 1 - Math.clamp(excess, 0, 1));
        }
        return independent;
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
