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

/**
 * Learns how reliable each expert is from agreement alone, with no reported truth: a one-coin Dawid–Skene model fitted
 * by expectation–maximisation over the ballots this strategy has seen (the last {@code window} of them). Each expert
 * has one chance of being right; each answer shape (integer, decimal, text, ...) has a prior chance of being the right
 * one. The E step scores every answer of a ballot as in {@link ReliabilityStrategy} and turns the scores into a
 * posterior; the M step re-estimates each chance as the expected share of right answers. The model is refitted when a
 * twentieth of the window is new. Thread-safe.
 */
public final class UnsupervisedStrategy implements ConsensusStrategy {
    private static final int ITERATIONS = 15;
    private final int window;
    private final ArrayDeque<Ballot> ballots = new ArrayDeque<>();
    private Map<String, Double> expertChance = Map.of();
    private Map<String, Double> shapeChance = Map.of();
    private int unseen;

    /** @param window how many recent ballots the model is fitted to */
    public UnsupervisedStrategy(int window) {
        this.window = window;
    }

    private record Ballot(String[] experts, String[] answers, String[] shapes) {}

    @Override
    public String name() {
        return "unsupervised";
    }

    /** Adds a ballot to the history without deciding it. */
    public synchronized void observe(List<Vote> votes) {
        String[] experts = new String[votes.size()];
        String[] answers = new String[votes.size()];
        String[] shapes = new String[votes.size()];
        for (int i = 0; i < votes.size(); i++) {
            experts[i] = votes.get(i).expert();
            answers[i] = votes.get(i).answer();
            shapes[i] = answers[i] == null ? null : Ballots.shape(answers[i]);
        }
        ballots.addLast(new Ballot(experts, answers, shapes));
        if (ballots.size() > window) {
            ballots.removeFirst();
        }
        unseen++;
    }

    @Override
    public Verdict decide(List<Vote> votes, Reliability reliability) {
        Map<String, Double> experts;
        Map<String, Double> shapes;
        synchronized (this) {
            observe(votes);
            if (unseen * 20 >= ballots.size() || expertChance.isEmpty()) {
                fit();
                unseen = 0;
            }
            experts = expertChance;
            shapes = shapeChance;
        }
        Map<String, List<Integer>> groups = Ballots.byAnswer(votes);
        double[] scores = new double[groups.size()];
        int i = 0;
        for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
            scores[i] = logit(shapes.getOrDefault(Ballots.shape(group.getKey()), 0.5));
            for (int v : group.getValue()) {
                scores[i] += votes.get(v).weight() * Ballots.voteWeight(experts.getOrDefault(votes.get(v).expert(),
                        0.7));
            }
            i++;
        }
        return Ballots.verdict(votes, groups, scores, Ballots.posterior(scores));
    }

    /** @return each expert's estimated chance of being right, as last fitted */
    public synchronized Map<String, Double> chances() {
        return Map.copyOf(expertChance);
    }

    private void fit() {
        Map<String, Double> experts = new HashMap<>();
        Map<String, Double> shapes = new HashMap<>();
        for (int it = 0; it < ITERATIONS; it++) {
            Map<String, double[]> expertSums = new HashMap<>(); // expected right, answered
            Map<String, double[]> shapeSums = new HashMap<>();
            List<String> distinct = new ArrayList<>();
            for (Ballot b : ballots) {
                distinct.clear();
                for (String a : b.answers) {
                    if (a != null && !distinct.contains(a)) {
                        distinct.add(a);
                    }
                }
                if (distinct.isEmpty()) {
                    continue;
                }
                double[] scores = new double[distinct.size()];
                for (int d = 0; d < distinct.size(); d++) {
                    String answer = distinct.get(d);
                    scores[d] = it == 0 ? 0 : logit(shapes.getOrDefault(Ballots.shape(answer), 0.5));
                    for (int k = 0; k < b.answers.length; k++) {
                        if (answer.equals(b.answers[k])) {
                            scores[d] += Ballots.voteWeight(experts.getOrDefault(b.experts[k], 0.7));
                        }
                    }
                }
                double max = Double.NEGATIVE_INFINITY;
                for (double s : scores) {
                    max = Math.max(max, s);
                }
                double sum = 0;
                for (int d = 0; d < scores.length; d++) {
                    scores[d] = Math.exp(scores[d] - max);
                    sum += scores[d];
                }
                for (int d = 0; d < distinct.size(); d++) {
                    double posterior = scores[d] / sum;
                    double[] s = shapeSums.computeIfAbsent(Ballots.shape(distinct.get(d)), x -> new double[2]);
                    s[0] += posterior;
                    s[1]++;
                    for (int k = 0; k < b.answers.length; k++) {
                        if (distinct.get(d).equals(b.answers[k])) {
                            double[] e = expertSums.computeIfAbsent(b.experts[k], x -> new double[2]);
                            e[0] += posterior;
                            e[1]++;
                        }
                    }
                }
            }
            experts.clear();
            expertSums.forEach((k, s) -> experts.put(k, Math.clamp((s[0] + 1) / (s[1] + 2), 0.01, 0.99)));
            shapes.clear();
            shapeSums.forEach((k, s) -> shapes.put(k, Math.clamp((s[0] + 1) / (s[1] + 2), 0.01, 0.99)));
        }
        expertChance = Map.copyOf(experts);
        shapeChance = Map.copyOf(shapes);
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }
}
