package org.codeengine.core.internal.experts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;
import org.jspecify.annotations.Nullable;

/**
 * Learns how reliable each expert is from agreement alone, with no reported truth: a one-coin Dawid–Skene model fitted
 * by expectation–maximisation over the ballots this strategy has seen (the last {@code window} of them), with a prior
 * chance per answer shape (integer, decimal, text, ...) of being the right one, and a discount for experts that repeat
 * each other's mistakes. The E step scores every answer of a ballot ({@link Fit#scores}) and turns the scores into a
 * posterior; the M step re-estimates each expert's chance as its expected share of right answers and each collision
 * rate as the expected share of one expert's mistakes that the other repeated. So two experts that always agree (one
 * model asked twice) are not taken for two witnesses: the second adds nothing. (The likelihood of {@link ScatterRule}
 * was tried here too: fitted without labels it lost up to a point to majority on the twelve-model committee.) The model
 * is refitted when a twentieth of the window is new. Thread-safe.
 *
 * <p>The refit is lazy: {@link #learn} only notes the ballots it is due over, and the fit runs the first time the
 * model is read ({@link #score}, {@link #chances}) after that. The model read is the same as if it had been fitted at
 * once, but a caller that adds ballots and seldom or never scores with this model (the default strategy decides with
 * it only where it beats its other rules) does not pay for the expectation-maximisation, thousands of ballots over
 * {@value #ITERATIONS} rounds, on its decision path.
 */
public final class UnsupervisedStrategy implements ConsensusStrategy {
    private static final int ITERATIONS = 15;
    private static final double PRIOR = 0.7;
    private static final double COLLISION_PRIOR = 0.1;
    private static final double SHRINK = 4;
    private final int window;
    private final ArrayDeque<Ballot> ballots = new ArrayDeque<>();
    private Fit fitted = new Fit(Map.of(), Map.of(), Map.of(), Map.of());
    /** The ballots a refit is due over, not fitted yet; null when {@link #fitted} is up to date. */
    private Object @Nullable [] due;
    /** Whether the model as last due (fitted or not) has no expert: it is refitted on every ballot until it has one. */
    private boolean dueEmpty = true;
    /** How many ballots of {@link #ballots} have an answer: a fit over none of them has no expert. */
    private int answered;
    private int unseen;

    /** @param window how many recent ballots the model is fitted to */
    public UnsupervisedStrategy(int window) {
        this.window = window;
    }

    private record Ballot(List<Vote> votes, Map<String, List<Integer>> groups) {}

    /** A fitted model: chances per expert and shape, collision rates per ordered pair and per expert. */
    private record Fit(Map<String, Double> experts, Map<String, Double> shapes, Map<String, Double> pairs,
            Map<String, Double> pooled) {
        double collision(String earlier, String later) {
            Double q = pairs.get(earlier + '\u0000' + later);
            return q != null ? q : pooled.getOrDefault(earlier, COLLISION_PRIOR);
        }

        /**
         * Each answer scores the shape's prior log-odds plus its voters' log-odds weights ({@link Ballots#voteWeight}),
         * each discounted by how far it repeats an earlier voter's mistakes ({@link LogOddsRule#independence}).
         */
        double[] scores(Ballot b) {
            double[] scores = new double[b.groups.size()];
            int i = 0;
            for (Map.Entry<String, List<Integer>> group : b.groups.entrySet()) {
                List<Integer> voters = group.getValue();
                double score = logit(shapes.getOrDefault(Ballots.shape(group.getKey()), 0.5));
                for (int n = 0; n < voters.size(); n++) {
                    Vote vote = b.votes.get(voters.get(n));
                    double independent = LogOddsRule.independence(b.votes, voters, n, this::collision,
                            earlier -> pooled.getOrDefault(earlier, COLLISION_PRIOR));
                    score += vote.weight() * independent * Ballots.voteWeight(experts.getOrDefault(vote.expert(),
                            PRIOR));
                }
                scores[i++] = score;
            }
            return scores;
        }
    }

    @Override
    public String name() {
        return "unsupervised";
    }

    /** Adds a ballot to the history without deciding it. */
    public void observe(List<Vote> votes) {
        observe(votes, Ballots.byAnswer(votes));
    }

    /**
     * As {@link #observe(List)}, with the ballot's distinct answers already found.
     *
     * @param groups the distinct answers of {@code votes} ({@link Ballots#byAnswer}), kept as they are: not changed later
     */
    private synchronized void observe(List<Vote> votes, Map<String, List<Integer>> groups) {
        List<Vote> kept = new ArrayList<>(votes.size());
        for (Vote v : votes) {
            kept.add(new Vote(v.expert(), v.provider(), v.answer(), "", v.weight())); // the replies are not needed
        }
        Ballot ballot = new Ballot(kept, groups);
        ballots.addLast(ballot);
        answered += ballot.groups.isEmpty() ? 0 : 1;
        if (ballots.size() > window) {
            answered -= ballots.removeFirst().groups.isEmpty() ? 0 : 1;
        }
        unseen++;
    }

    @Override
    public Verdict decide(List<Vote> votes, Reliability reliability) {
        Map<String, List<Integer>> groups = Ballots.byAnswer(votes);
        learn(votes, groups);
        Rule.Scored scored = score(votes, groups);
        return Ballots.verdict(votes, groups, scored.scores(), scored.confidence());
    }

    /**
     * Adds a ballot to the history and, when enough of the history is new, marks the model due for a refit over the
     * history as it is now; the refit runs when the model is next read.
     */
    void learn(List<Vote> votes) {
        learn(votes, Ballots.byAnswer(votes));
    }

    /**
     * As {@link #learn(List)}, with the ballot's distinct answers already found.
     *
     * @param groups the distinct answers of {@code votes} ({@link Ballots#byAnswer}), kept as they are: not changed later
     */
    synchronized void learn(List<Vote> votes, Map<String, List<Integer>> groups) {
        observe(votes, groups);
        if (unseen * 20 >= ballots.size() || dueEmpty) {
            due = ballots.toArray(); // untyped: a plain copy, no check per element
            dueEmpty = answered == 0; // a fit has an expert for every voter of a ballot with an answer
            unseen = 0;
        }
    }

    /** {@return the model, refitted first if a refit is due} */
    private synchronized Fit model() {
        if (due != null) {
            fitted = fit(due);
            due = null;
        }
        return fitted;
    }

    /**
     * @param votes a ballot
     * @param groups its distinct answers ({@link Ballots#byAnswer})
     * @return each answer's score under the model as last fitted, and the posterior of the best
     */
    Rule.Scored score(List<Vote> votes, Map<String, List<Integer>> groups) {
        double[] scores = model().scores(new Ballot(votes, groups));
        return new Rule.Scored(scores, Ballots.posterior(scores));
    }

    /** {@return each expert's estimated chance of being right, as last fitted} */
    public Map<String, Double> chances() {
        return Map.copyOf(model().experts());
    }

    private static Fit fit(Object[] ballots) {
        Fit fit = new Fit(Map.of(), Map.of(), Map.of(), Map.of());
        for (int it = 0; it < ITERATIONS; it++) {
            Map<String, double[]> expertSums = new HashMap<>(); // expected right, answered
            Map<String, double[]> shapeSums = new HashMap<>();
            Map<String, double[]> pairSums = new HashMap<>(); // expected repeated mistakes, expected mistakes
            Map<String, double[]> pooledSums = new HashMap<>();
            for (Object ballot : ballots) {
                Ballot b = (Ballot) ballot;
                if (b.groups.isEmpty()) {
                    continue;
                }
                double[] posterior = softmax(fit.scores(b));
                int d = 0;
                for (Map.Entry<String, List<Integer>> group : b.groups.entrySet()) {
                    add(shapeSums, Ballots.shape(group.getKey()), posterior[d], 1);
                    for (int k : group.getValue()) {
                        String expert = b.votes.get(k).expert();
                        add(expertSums, expert, posterior[d], 1);
                        double wrong = 1 - posterior[d];
                        for (int j = 0; j < b.votes.size(); j++) {
                            Vote other = b.votes.get(j);
                            if (j != k && other.answer() != null) {
                                double same = other.answer().equals(group.getKey()) ? wrong : 0;
                                add(pairSums, expert + '\u0000' + other.expert(), same, wrong);
                                add(pooledSums, expert, same, wrong);
                            }
                        }
                    }
                    d++;
                }
            }
            Map<String, Double> experts = new HashMap<>();
            expertSums.forEach((k, s) -> experts.put(k, Math.clamp((s[0] + 1) / (s[1] + 2), 0.01, 0.99)));
            Map<String, Double> shapes = new HashMap<>();
            shapeSums.forEach((k, s) -> shapes.put(k, Math.clamp((s[0] + 1) / (s[1] + 2), 0.01, 0.99)));
            Map<String, Double> pooled = new HashMap<>();
            pooledSums.forEach((k, s) -> pooled.put(k, Math.clamp((s[0] + COLLISION_PRIOR * 2) / (s[1] + 2), 0.01,
                    0.99)));
            Map<String, Double> pairs = new HashMap<>();
            pairSums.forEach((k, s) -> {
                double prior = pooled.getOrDefault(k.substring(0, k.indexOf('\u0000')), COLLISION_PRIOR);
                pairs.put(k, Math.clamp((s[0] + SHRINK * prior) / (s[1] + SHRINK), 0.01, 0.99));
            });
            fit = new Fit(experts, it == 0 ? Map.of() : shapes, pairs, pooled);
        }
        return new Fit(Map.copyOf(fit.experts()), Map.copyOf(fit.shapes()), Map.copyOf(fit.pairs()), Map.copyOf(fit
                .pooled()));
    }

    private static void add(Map<String, double[]> sums, String key, double hits, double of) {
        double[] s = sums.computeIfAbsent(key, x -> new double[2]);
        s[0] += hits;
        s[1] += of;
    }

    /** {@return the softmax of the scores: each one's share, exp(score) over the sum of exp(scores)} */
    static double[] softmax(double[] scores) {
        double max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double sum = 0;
        double[] out = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            out[i] = Math.exp(scores[i] - max);
            sum += out[i];
        }
        for (int i = 0; i < out.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }
}
