package org.codeengine.core.internal.experts;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Vote;
import org.jspecify.annotations.Nullable;

/**
 * Scores each answer by the likelihood of its voters under "it is right" against "it is wrong", for open answers:
 * answers that are not two but many, where wrong answers scatter.
 *
 * <p>If answer {@code a} is right, each of its voters said it with that voter's chance of being right, {@code p}. If it
 * is wrong, its first voter made a mistake that happened to land on {@code a}, and each further voter repeated a
 * mistake already made: the chance of that is read from the record of how often this expert gave the same answer as an
 * earlier voter when that one was wrong ({@link Ballots#pair}), which is small where mistakes scatter and large for two
 * models that make the same mistakes. So the score of {@code a}, up to a constant shared by every answer, is
 *
 * <pre>
 *   sum over voters of log p  -  log(1 - p of the first voter)  -  sum over further voters of log q(earlier, voter)
 * </pre>
 *
 * where {@code q} is the most correlated earlier voter's collision rate. The votes of experts who gave other answers
 * cancel out between answers, which is why no weight is clamped: an expert right 30% of the time whose mistakes
 * scatter still adds {@code log 0.3 - log q > 0} to every answer it joins. With no record, every expert is assumed
 * right 70% of the time and every mistake repeated 10% of the time: a plain majority vote.
 */
final class ScatterRule implements Rule {
    private static final double PRIOR = 0.7;
    private static final double PRIOR_STRENGTH = 2;
    private static final double SHRINK = 4;
    private static final double COLLISION_PRIOR = 0.1;
    private static final double COLLISION_STRENGTH = 2;
    /** How much less likely a given wrong value is than "none of these answers is right", as a log ratio. */
    private static final double NONE = Math.log(20);

    @Override
    public String name() {
        return "scatter";
    }

    /** What the score of an answer is computed from: each expert's chance of being right, and collision rates. */
    interface Model {
        /** {@return the chance that {@code expert} is right with an answer of this shape} */
        double chance(String expert, String shape);

        /**
         * {@return how often the voter of vote {@code later} gives the same answer as the voter of vote
         * {@code earlier} when that one is wrong}
         */
        double collision(int earlier, int later);
    }

    @Override
    public Scored score(List<Vote> votes, Map<String, List<Integer>> groups, Reliability reliability) {
        Collisions collisions = new Collisions(votes, reliability);
        Model model = new Model() {
            @Override
            public double chance(String expert, String shape) {
                return ScatterRule.chance(reliability, expert, shape);
            }

            @Override
            public double collision(int earlier, int later) {
                return collisions.of(earlier, later);
            }
        };
        double[] scores = new double[groups.size()];
        int i = 0;
        for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
            scores[i++] = score(votes, group.getValue(), Ballots.shape(group.getKey()), model);
        }
        return new Scored(scores, confidence(scores));
    }

    /**
     * {@return the answer's score: the log-likelihood ratio of its voters under "right" and "wrong", up to a constant}
     *
     * @param votes the ballot
     * @param voters the indexes of the votes for one answer, in panel order
     * @param shape the answer's shape
     */
    static double score(List<Vote> votes, List<Integer> voters, String shape, Model model) {
        double score = 0;
        for (int n = 0; n < voters.size(); n++) {
            Vote vote = votes.get(voters.get(n));
            double p = model.chance(vote.expert(), shape);
            double evidence = Math.log(p);
            if (n == 0) {
                evidence -= Math.log1p(-p);
            } else {
                double q = 0;
                for (int k = 0; k < n; k++) {
                    q = Math.max(q, model.collision(voters.get(k), voters.get(n)));
                }
                evidence -= Math.log(q);
            }
            score += vote.weight() * evidence;
        }
        return score;
    }

    /**
     * The collision rates of one ballot's voters, as {@link #collision(Reliability, String, String)}, with what each
     * voter adds read once: an answer backed by {@code n} voters asks for every pair of them, and each pair would
     * otherwise read its earlier voter's usual rate again and spell its later voter's signal again.
     */
    private static final class Collisions {
        private final List<Vote> votes;
        private final Reliability reliability;
        /** Per vote, its expert's {@link #usualCollision}, or NaN until it is asked for. */
        private final double[] usual;
        /** Per vote, the signal under which its expert's collisions with others are kept, or null until asked for. */
        private final @Nullable String[] pairs;

        Collisions(List<Vote> votes, Reliability reliability) {
            this.votes = votes;
            this.reliability = reliability;
            this.usual = new double[votes.size()];
            this.pairs = new String[votes.size()];
            Arrays.fill(usual, Double.NaN);
        }

        /** {@return as {@link #usualCollision}, for the expert of vote {@code earlier}} */
        double usual(int earlier) {
            double rate = usual[earlier];
            if (Double.isNaN(rate)) {
                rate = usualCollision(reliability, votes.get(earlier).expert());
                usual[earlier] = rate;
            }
            return rate;
        }

        /** {@return as {@link #collision(Reliability, String, String)}, for the experts of two votes} */
        double of(int earlier, int later) {
            String pair = pairs[later];
            if (pair == null) {
                pair = Ballots.pair(votes.get(later).expert());
                pairs[later] = pair;
            }
            return collision(reliability, votes.get(earlier).expert(), pair, usual(earlier));
        }
    }

    /** The share of the best answer against the others and "none of these". */
    private static double confidence(double[] scores) {
        double max = -NONE;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double sum = Math.exp(-NONE - max);
        for (double s : scores) {
            sum += Math.exp(s - max);
        }
        return 1 / sum;
    }

    /** The expert's chance of being right with an answer of this shape, from its record, shrunk toward its overall. */
    static double chance(Reliability reliability, String expert, String shape) {
        Reliability.Record all = reliability.of(expert, Ballots.ALL);
        double p = (all.correct() + PRIOR * PRIOR_STRENGTH) / (all.answered() + PRIOR_STRENGTH);
        Reliability.Record byShape = reliability.of(expert, shape);
        p = (byShape.correct() + SHRINK * p) / (byShape.answered() + SHRINK);
        return Math.clamp(p, 0.01, 0.99);
    }

    /** How often any other expert gave the same answer as {@code earlier} when {@code earlier} was wrong. */
    static double usualCollision(Reliability reliability, String earlier) {
        Reliability.Record any = reliability.of(earlier, Ballots.PAIR_ANY);
        return Math.clamp((any.correct() + COLLISION_PRIOR * COLLISION_STRENGTH) / (any.answered()
                + COLLISION_STRENGTH), 0.01, 0.99);
    }

    /** How often {@code later} gave the same answer as {@code earlier} when {@code earlier} was wrong. */
    static double collision(Reliability reliability, String earlier, String later) {
        return collision(reliability, earlier, Ballots.pair(later), usualCollision(reliability, earlier));
    }

    /**
     * @param pair the signal of the later expert ({@link Ballots#pair})
     * @param pooled the earlier expert's {@link #usualCollision}
     */
    private static double collision(Reliability reliability, String earlier, String pair, double pooled) {
        Reliability.Record record = reliability.of(earlier, pair);
        double q = (record.correct() + SHRINK * pooled) / (record.answered() + SHRINK);
        return Math.clamp(q, 0.01, 0.99);
    }
}
