package org.codeengine.core.internal.experts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;
import org.jspecify.annotations.Nullable;

/**
 * Learns how reliable each expert is from agreement alone, with no reported truth: a one-coin Dawid–Skene model for
 * open answers over the ballots this strategy has seen (the last {@code window} of them), with a prior chance per
 * answer shape (integer, decimal, text, ...) of being the right one, and a discount for experts that repeat each
 * other's mistakes. A vote weighs the log-odds that its expert is right against its mistake landing on that value
 * ({@code log p / ((1 - p) c)}, {@code c} how often its mistakes meet another expert's): an expert right 30 % of the
 * time whose mistakes scatter is strong evidence, where the two-answer log-odds would weigh it nothing.
 *
 * <p>The fit starts from the experts' pairwise agreement rates, not from a majority vote: where mistakes rarely meet,
 * two experts agree at about the product of their chances, so each expert's chance is read from the triads it is in
 * ({@code p_e = sqrt(a_ef a_eg / a_fg)}, the median over pairs {@code f, g}), and each pair's collision rate from the
 * agreement that the chances leave unexplained. {@value #ROUNDS} rounds of expectation–maximisation then refine every
 * figure and fit the shape priors: the E step weighs every answer of a ballot against "none of these" ({@link
 * Fit#scores(Ballot, double[])}: where the answer is wrong, its first voter's mistake lands somewhere by itself, and
 * only each further voter landing on the same value is a coincidence, so the first weighs {@code log p / (1 - p)} and
 * each further one {@code log p / ((1 - p) c)}) and turns that into a posterior over the answers and "none"; the M
 * step re-estimates each expert's chance as its expected share of right answers and each collision rate as the
 * expected share of one expert's mistakes that the other repeated. So two experts that always agree (one model asked
 * twice) are not taken for two witnesses: the second adds nothing. (Run from a majority start, with an E step that
 * weighed every voter, the first too, by {@code log p / ((1 - p) c)}, expectation–maximisation gave the strongest
 * expert all the credit where every expert is right under half the time, chance 0.99 against 0.1 for the rest, and
 * fell ten points under majority on twelve members: each round moved credit from "none" to the strongest expert.
 * With its shape prior also weighed against "none", the E step drifted the other way, every chance toward 0.01.) The
 * model is refitted when a twentieth of the window is new. Thread-safe.
 *
 * <p>The refit is lazy: {@link #learn} only notes the ballots it is due over, and the fit runs the first time the
 * model is read ({@link #score}, {@link #chances}) after that. The model read is the same as if it had been fitted at
 * once, but a caller that adds ballots and seldom or never scores with this model (the default strategy decides with
 * it only where it beats its other rules) does not pay for the fit, thousands of ballots over {@value #ROUNDS}
 * rounds, on its decision path.
 */
public final class UnsupervisedStrategy implements ConsensusStrategy {
    /** The rounds of expectation–maximisation after the fit from agreement rates. */
    private static final int ROUNDS = 3;
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
         * Each answer scores the shape's prior log-odds plus its voters' weights, {@code log p / ((1 - p) c)} with
         * {@code c} the voter's usual collision rate (at least 0.01), each discounted by how far it repeats an earlier
         * voter's mistakes ({@link LogOddsRule#independence}).
         */
        double[] scores(Ballot b) {
            return scores(b, null);
        }

        /**
         * As {@link #scores(Ballot)}, and where {@code against} is given, each answer's log-odds against "none of these"
         * in it: the same but for the first voter, who weighs {@code log p / (1 - p)}. Where the answer is wrong, its
         * first voter's mistake lands somewhere by itself; only each further voter's landing on the same value is a
         * coincidence ({@code c}). The decision scores count {@code c} for every voter, which orders the answers alike
         * (every answer has a first voter) but weighs each against "none" as if its first voter had been joined by
         * chance: as a confidence that was several times too sure where every expert is weak.
         */
        double[] scores(Ballot b, double @Nullable [] against) {
            double[] scores = new double[b.groups.size()];
            int i = 0;
            for (Map.Entry<String, List<Integer>> group : b.groups.entrySet()) {
                List<Integer> voters = group.getValue();
                double prior = logit(shapes.getOrDefault(Ballots.shape(group.getKey()), 0.5));
                double score = prior;
                double first = 0;
                for (int n = 0; n < voters.size(); n++) {
                    Vote vote = b.votes.get(voters.get(n));
                    double independent = LogOddsRule.independence(b.votes, voters, n, this::collision,
                            earlier -> pooled.getOrDefault(earlier, COLLISION_PRIOR));
                    double p = experts.getOrDefault(vote.expert(), PRIOR);
                    double lands = pooled.getOrDefault(vote.expert(), COLLISION_PRIOR);
                    double weight = vote.weight() * independent * Math.max(0.01, Math.log(p / ((1 - p) * lands)));
                    score += weight;
                    if (n == 0) {
                        first = vote.weight() * independent * logit(p) - weight;
                    }
                }
                if (against != null) {
                    against[i] = score + first - prior;
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
     * @return each answer's score under the model as last fitted, and the chance that the best is right: its share
     *         of the softmax over every answer's log-odds against "none of these" and "none" itself
     */
    Rule.Scored score(List<Vote> votes, Map<String, List<Integer>> groups) {
        double[] against = new double[groups.size()];
        double[] scores = model().scores(new Ballot(votes, groups), against);
        return new Rule.Scored(scores, withNone(against)[Ballots.best(votes, groups, scores)]);
    }

    /** {@return how many of the ballots the model is fitted to have an answer} */
    synchronized int answered() {
        return answered;
    }

    /** {@return each expert's estimated chance of being right, as last fitted} */
    public Map<String, Double> chances() {
        return Map.copyOf(model().experts());
    }

    /**
     * {@return the chances and collision rates that the pairwise agreement rates give, with no shape priors}: where
     * mistakes rarely meet, experts {@code e} and {@code f} agree at {@code a_ef ≈ p_e p_f}, so
     * {@code p_e = sqrt(a_ef a_eg / a_fg)} for any two others {@code f, g} (the median over them; the prior where an
     * expert is in no triad), and the agreement the chances leave, {@code a_ef - p_e p_f}, is the share of ballots where
     * both were wrong on the same value: over {@code (1 - p_e)(1 - p_f)}, how often two of their mistakes meet; times
     * {@code 1 - p_f}, the share of {@code e}'s mistakes that {@code f} repeated.
     */
    private static Fit fromAgreement(Object[] ballots) {
        Map<String, Integer> index = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (Object ballot : ballots) {
            for (Vote v : ((Ballot) ballot).votes) {
                if (v.answer() != null && index.putIfAbsent(v.expert(), names.size()) == null) {
                    names.add(v.expert());
                }
            }
        }
        int n = names.size();
        double[][] agreed = new double[n][n];
        double[][] joint = new double[n][n];
        int[] at = new int[0];
        for (Object ballot : ballots) {
            List<Vote> votes = ((Ballot) ballot).votes;
            if (at.length < votes.size()) {
                at = new int[votes.size()];
            }
            for (int i = 0; i < votes.size(); i++) {
                at[i] = votes.get(i).answer() == null ? -1 : index.get(votes.get(i).expert());
            }
            for (int i = 0; i < votes.size(); i++) {
                for (int j = i + 1; j < votes.size(); j++) {
                    if (at[i] >= 0 && at[j] >= 0 && at[i] != at[j]) {
                        double same = votes.get(i).answer().equals(votes.get(j).answer()) ? 1 : 0;
                        agreed[at[i]][at[j]] += same;
                        agreed[at[j]][at[i]] += same;
                        joint[at[i]][at[j]]++;
                        joint[at[j]][at[i]]++;
                    }
                }
            }
        }
        double[][] rate = new double[n][n]; // smoothed agreement rate, NaN where two experts never answered together
        for (int e = 0; e < n; e++) {
            for (int f = 0; f < n; f++) {
                rate[e][f] = joint[e][f] == 0 ? Double.NaN : (agreed[e][f] + 0.5) / (joint[e][f] + 1);
            }
        }
        double[] chance = new double[n];
        Map<String, Double> experts = new HashMap<>();
        for (int e = 0; e < n; e++) {
            double[] estimates = new double[n * n];
            int k = 0;
            for (int f = 0; f < n; f++) {
                for (int g = f + 1; g < n; g++) {
                    double estimate = Math.sqrt(rate[e][f] * rate[e][g] / rate[f][g]);
                    if (f != e && g != e && !Double.isNaN(estimate)) {
                        estimates[k++] = estimate;
                    }
                }
            }
            Arrays.sort(estimates, 0, k);
            chance[e] = k == 0 ? PRIOR : Math.clamp(estimates[k / 2], 0.02, 0.98);
            experts.put(names.get(e), chance[e]);
        }
        Map<String, Double> pairs = new HashMap<>();
        Map<String, Double> pooled = new HashMap<>();
        for (int e = 0; e < n; e++) {
            double sum = 0;
            int others = 0;
            for (int f = 0; f < n; f++) {
                if (f != e && !Double.isNaN(rate[e][f])) {
                    double meet = Math.clamp((rate[e][f] - chance[e] * chance[f]) / ((1 - chance[e]) * (1
                            - chance[f])), 0.01, 0.99); // how often two mistakes of theirs fall on one value
                    double repeated = Math.clamp((1 - chance[f]) * meet, 0.01, 0.99);
                    pairs.put(names.get(e) + '\u0000' + names.get(f), repeated);
                    sum += repeated;
                    others++;
                }
            }
            if (others > 0) {
                pooled.put(names.get(e), sum / others);
            }
        }
        return new Fit(experts, Map.of(), pairs, pooled);
    }

    private static Fit fit(Object[] ballots) {
        Fit fit = fromAgreement(ballots);
        if (ROUNDS == 0 || fit.experts().isEmpty()) {
            return fit;
        }
        Rounds rounds = new Rounds(ballots, fit);
        for (int round = 0; round < ROUNDS; round++) {
            rounds.round();
        }
        return rounds.fit();
    }

    /**
     * The rounds of expectation–maximisation over the ballots read once into arrays: experts, answers and shapes by
     * index, every figure in an array where a map keyed by names was read and written for every pair of voters of
     * every ballot in every round (a refit of 5,000 ballots took a tenth of a second on five members). The sums are
     * added in the same order as over the ballots themselves, so the fit is the same to the last bit. NaN marks a
     * figure the data has not given, read as its prior.
     */
    private static final class Rounds {
        private final List<String> names = new ArrayList<>();
        private final List<String> shapeNames = new ArrayList<>();
        /** Per ballot with an answer: per vote its expert (-1: no answer), weight and answer's id in the ballot. */
        private final List<int[]> expertOf = new ArrayList<>();
        private final List<double[]> weightOf = new ArrayList<>();
        private final List<int[]> answerOf = new ArrayList<>();
        /** Per ballot: per distinct answer its voters, in order, its shape, and its key's id in the ballot. */
        private final List<int[][]> votersOf = new ArrayList<>();
        private final List<int[]> shapeOf = new ArrayList<>();
        private final List<int[]> keyOf = new ArrayList<>();
        private double[] chance;
        private double[] pooled;
        private double[][] pair;
        private double[] shape;

        Rounds(Object[] ballots, Fit start) {
            Map<String, Integer> index = new HashMap<>();
            Map<String, Integer> shapeIndex = new HashMap<>();
            for (Object o : ballots) {
                Ballot b = (Ballot) o;
                if (b.groups.isEmpty()) {
                    continue;
                }
                Map<String, Integer> ids = new HashMap<>();
                int[] experts = new int[b.votes.size()];
                double[] weights = new double[b.votes.size()];
                int[] answers = new int[b.votes.size()];
                for (int v = 0; v < b.votes.size(); v++) {
                    Vote vote = b.votes.get(v);
                    weights[v] = vote.weight();
                    experts[v] = vote.answer() == null ? -1 : index.computeIfAbsent(vote.expert(), e -> {
                        names.add(e);
                        return names.size() - 1;
                    });
                    answers[v] = vote.answer() == null ? -1 : ids.computeIfAbsent(vote.answer(), a -> ids.size());
                }
                int[][] voters = new int[b.groups.size()][];
                int[] shapes = new int[voters.length];
                int[] keys = new int[voters.length];
                int g = 0;
                for (Map.Entry<String, List<Integer>> group : b.groups.entrySet()) {
                    voters[g] = group.getValue().stream().mapToInt(Integer::intValue).toArray();
                    shapes[g] = shapeIndex.computeIfAbsent(Ballots.shape(group.getKey()), k -> {
                        shapeNames.add(k);
                        return shapeNames.size() - 1;
                    });
                    keys[g++] = ids.computeIfAbsent(group.getKey(), a -> ids.size());
                }
                expertOf.add(experts);
                weightOf.add(weights);
                answerOf.add(answers);
                votersOf.add(voters);
                shapeOf.add(shapes);
                keyOf.add(keys);
            }
            int n = names.size();
            chance = new double[n];
            pooled = new double[n];
            pair = new double[n][n];
            for (int e = 0; e < n; e++) {
                chance[e] = start.experts().getOrDefault(names.get(e), Double.NaN);
                pooled[e] = start.pooled().getOrDefault(names.get(e), Double.NaN);
                for (int f = 0; f < n; f++) {
                    pair[e][f] = start.pairs().getOrDefault(names.get(e) + '\u0000' + names.get(f), Double.NaN);
                }
            }
            shape = new double[shapeNames.size()];
            for (int k = 0; k < shape.length; k++) {
                shape[k] = start.shapes().getOrDefault(shapeNames.get(k), Double.NaN);
            }
        }

        private double pooled(int e) {
            return Double.isNaN(pooled[e]) ? COLLISION_PRIOR : pooled[e];
        }

        private double collision(int earlier, int later) {
            return Double.isNaN(pair[earlier][later]) ? pooled(earlier) : pair[earlier][later];
        }

        /** One E step and one M step, as {@link Fit#scores(Ballot, double[])} and the sums over the ballots. */
        void round() {
            int n = names.size();
            double[][] expertSums = new double[n][]; // expected right, answered; null: never voted
            double[][] shapeSums = new double[shape.length][];
            double[][][] pairSums = new double[n][n][]; // expected repeated mistakes, expected mistakes
            double[][] pooledSums = new double[n][];
            for (int b = 0; b < expertOf.size(); b++) {
                int[] experts = expertOf.get(b);
                double[] weights = weightOf.get(b);
                int[] answers = answerOf.get(b);
                int[][] voters = votersOf.get(b);
                double[] against = new double[voters.length];
                for (int g = 0; g < voters.length; g++) {
                    double prior = logit(Double.isNaN(shape[shapeOf.get(b)[g]]) ? 0.5 : shape[shapeOf.get(b)[g]]);
                    double score = prior;
                    double first = 0;
                    for (int k = 0; k < voters[g].length; k++) {
                        int e = experts[voters[g][k]];
                        double independent = 1;
                        for (int j = 0; j < k; j++) {
                            int earlier = experts[voters[g][j]];
                            double rate = pooled(earlier);
                            double excess = (collision(earlier, e) - rate) / (1 - rate);
                            independent = Math.min(independent, 1 - Math.clamp(excess, 0, 1));
                        }
                        double p = Double.isNaN(chance[e]) ? PRIOR : chance[e];
                        double weight = weights[voters[g][k]] * independent * Math.max(0.01, Math.log(p / ((1 - p)
                                * pooled(e))));
                        score += weight;
                        if (k == 0) {
                            first = weights[voters[g][k]] * independent * logit(p) - weight;
                        }
                    }
                    against[g] = score + first - prior;
                }
                double[] posterior = withNone(against);
                for (int g = 0; g < voters.length; g++) {
                    add(shapeSums, shapeOf.get(b)[g], posterior[g], 1);
                    double wrong = 1 - posterior[g];
                    int key = keyOf.get(b)[g];
                    for (int k : voters[g]) {
                        int e = experts[k];
                        add(expertSums, e, posterior[g], 1);
                        for (int j = 0; j < experts.length; j++) {
                            if (j != k && experts[j] >= 0) {
                                double same = answers[j] == key ? wrong : 0;
                                add(pairSums[e], experts[j], same, wrong);
                                add(pooledSums, e, same, wrong);
                            }
                        }
                    }
                }
            }
            for (int e = 0; e < n; e++) {
                chance[e] = expertSums[e] == null
                        ? Double.NaN
                        : Math.clamp((expertSums[e][0] + 1) / (expertSums[e][1]
                                + 2), 0.01, 0.99);
                pooled[e] = pooledSums[e] == null
                        ? Double.NaN
                        : Math.clamp((pooledSums[e][0] + COLLISION_PRIOR * 2)
                                / (pooledSums[e][1] + 2), 0.01, 0.99);
            }
            for (int e = 0; e < n; e++) {
                for (int f = 0; f < n; f++) {
                    double[] sums = pairSums[e][f];
                    pair[e][f] = sums == null
                            ? Double.NaN
                            : Math.clamp((sums[0] + SHRINK * pooled(e)) / (sums[1]
                                    + SHRINK), 0.01, 0.99);
                }
            }
            for (int k = 0; k < shape.length; k++) {
                shape[k] = shapeSums[k] == null
                        ? Double.NaN
                        : Math.clamp((shapeSums[k][0] + 1) / (shapeSums[k][1]
                                + 2), 0.01, 0.99);
            }
        }

        private static void add(double[][] sums, int at, double hits, double of) {
            if (sums[at] == null) {
                sums[at] = new double[2];
            }
            sums[at][0] += hits;
            sums[at][1] += of;
        }

        /** {@return the figures as the model that scores ballots reads them: by name, only those the data gave} */
        Fit fit() {
            Map<String, Double> experts = new HashMap<>();
            Map<String, Double> pools = new HashMap<>();
            Map<String, Double> pairs = new HashMap<>();
            for (int e = 0; e < names.size(); e++) {
                put(experts, names.get(e), chance[e]);
                put(pools, names.get(e), pooled[e]);
                for (int f = 0; f < names.size(); f++) {
                    put(pairs, names.get(e) + '\u0000' + names.get(f), pair[e][f]);
                }
            }
            Map<String, Double> shapes = new HashMap<>();
            for (int k = 0; k < shape.length; k++) {
                put(shapes, shapeNames.get(k), shape[k]);
            }
            return new Fit(Map.copyOf(experts), Map.copyOf(shapes), Map.copyOf(pairs), Map.copyOf(pools));
        }

        private static void put(Map<String, Double> map, String key, double value) {
            if (!Double.isNaN(value)) {
                map.put(key, value);
            }
        }
    }

    /** {@return the softmax of the scores: each one's share, exp(score) over the sum of exp(scores)} */
    static double[] softmax(double[] scores) {
        return shares(scores, false);
    }

    /** {@return each answer's share of the softmax over its scores and a score of 0 for "none of these"} */
    private static double[] withNone(double[] scores) {
        return shares(scores, true);
    }

    /** @param none whether a score of 0 for "none of these" takes its share too (not returned) */
    private static double[] shares(double[] scores, boolean none) {
        double max = none ? 0 : Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double sum = none ? Math.exp(-max) : 0;
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
