package org.codeengine.core.internal.experts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.codeengine.api.experts.Cluster;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;
import org.jspecify.annotations.Nullable;

/** What every strategy needs: the distinct answers with their voters, and the signals a vote is counted under. */
public final class Ballots {
    /** Signal every judged answer counts under. */
    public static final String ALL = "all";

    private Ballots() {}

    /** The distinct answers of the votes, in the order they first appear, each with the indexes of its voters. */
    static Map<String, List<Integer>> byAnswer(List<Vote> votes) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < votes.size(); i++) {
            String answer = votes.get(i).answer();
            if (answer != null) {
                groups.computeIfAbsent(answer, a -> new ArrayList<>(4)).add(i);
            }
        }
        return groups;
    }

    /**
     * @param votes the votes
     * @param scores a score per distinct answer of {@link #byAnswer}, in its order
     * @param confidence the confidence in the best
     * @return the verdict: the answer with the highest score (ties: more weight, then the earlier answer) first
     */
    static Verdict verdict(List<Vote> votes, Map<String, List<Integer>> groups, double[] scores, double confidence) {
        if (groups.isEmpty()) {
            return new Verdict(null, 0, List.of());
        }
        double total = 0;
        for (Vote v : votes) {
            total += v.answer() == null ? 0 : v.weight();
        }
        List<Cluster> clusters = new ArrayList<>(groups.size());
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        double bestWeight = 0;
        int i = 0;
        for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
            double weight = 0;
            List<String> experts = new ArrayList<>(group.getValue().size());
            for (int v : group.getValue()) {
                weight += votes.get(v).weight();
                experts.add(votes.get(v).expert());
            }
            double share = Math.min(1, weight / total);
            clusters.add(new Cluster(group.getKey(), experts, share));
            if (scores[i] > bestScore + 1e-12 || (Math.abs(scores[i] - bestScore) <= 1e-12 && weight > bestWeight)) {
                best = i;
                bestScore = scores[i];
                bestWeight = weight;
            }
            i++;
        }
        Cluster chosen = clusters.remove(best);
        clusters.sort((a, b) -> Double.compare(b.weight(), a.weight()));
        clusters.addFirst(chosen);
        return new Verdict(chosen.answer(), Math.clamp(confidence, 0, 1), clusters);
    }

    /**
     * The weight of a vote by an expert who is right with chance {@code p}: its log-odds, never below a small positive
     * floor, so that the vote of an expert worse than a coin never counts against the answer it gives. (The
     * multi-class form {@code log(p/(1-p)) + log(answers)} was measured too: it lost to plain majority on the
     * twelve-model committee.)
     */
    static double voteWeight(double p) {
        return Math.max(0.01, Math.log(p / (1 - p)));
    }

    /** Softmax share of the best score, against the others and a "none of these" option scored 0. */
    static double posterior(double[] scores) {
        double max = 0;
        for (double s : scores) {
            max = Math.max(max, s);
        }
        double sum = Math.exp(-max);
        double best = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            sum += Math.exp(s - max);
            best = Math.max(best, s);
        }
        return Math.exp(best - max) / sum;
    }

    /**
     * The signals a vote for {@code answer} is counted under: {@code all}, how many other experts gave the same answer
     * ({@code support:alone|some|most|all}), and the answer's shape ({@code shape:integer|decimal|fraction|letter|text}).
     */
    public static List<String> signals(List<Vote> votes, String answer) {
        int others = -1;
        for (Vote v : votes) {
            if (answer.equals(v.answer())) {
                others++;
            }
        }
        return List.of(ALL, support(others, votes.size()), shape(answer));
    }

    static String support(int others, int panel) {
        if (others <= 0) {
            return "support:alone";
        }
        if (others >= panel - 1) {
            return "support:all";
        }
        return others * 2 >= panel - 1 ? "support:most" : "support:some";
    }

    static String shape(String answer) {
        int digits = 0;
        int dots = 0;
        int slashes = 0;
        for (int i = 0; i < answer.length(); i++) {
            char c = answer.charAt(i);
            if (c >= '0' && c <= '9') {
                digits++;
            } else if (c == '.') {
                dots++;
            } else if (c == '/') {
                slashes++;
            } else if (!(c == '-' && i == 0)) {
                return answer.length() == 1 && Character.isLetter(c) ? "shape:letter" : "shape:text";
            }
        }
        if (digits == 0) {
            return "shape:text";
        }
        return slashes > 0 ? "shape:fraction" : dots > 0 ? "shape:decimal" : "shape:integer";
    }

    static @Nullable String firstAnswer(List<Vote> votes) {
        return votes.stream().map(Vote::answer).filter(a -> a != null).findFirst().orElse(null);
    }
}
