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
     * {@return the verdict: the answer with the highest score (ties: more weight, then the earlier answer) first}
     *
     * @param votes the votes
     * @param scores a score per distinct answer of {@link #byAnswer}, in its order
     * @param confidence the confidence in the best
     */
    static Verdict verdict(List<Vote> votes, Map<String, List<Integer>> groups, double[] scores, double confidence) {
        return verdict(votes, groups, scores, confidence, null);
    }

    /** As {@link #verdict(List, Map, double[], double)}, with the strategy's reason. */
    static Verdict verdict(List<Vote> votes, Map<String, List<Integer>> groups, double[] scores, double confidence,
            @Nullable String rationale) {
        if (groups.isEmpty()) {
            return new Verdict(null, 0, List.of(), rationale);
        }
        double total = 0;
        for (Vote v : votes) {
            total += v.answer() == null ? 0 : v.weight();
        }
        List<Cluster> clusters = new ArrayList<>(groups.size());
        for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
            double weight = 0;
            List<String> experts = new ArrayList<>(group.getValue().size());
            for (int v : group.getValue()) {
                weight += votes.get(v).weight();
                experts.add(votes.get(v).expert());
            }
            clusters.add(new Cluster(group.getKey(), experts, Math.min(1, weight / total)));
        }
        int best = best(votes, groups, scores);
        Cluster chosen = clusters.remove(best);
        clusters.sort((a, b) -> Double.compare(b.weight(), a.weight()));
        clusters.addFirst(chosen);
        return new Verdict(chosen.answer(), Math.clamp(confidence, 0, 1), clusters, rationale);
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

    /** {@return the index of the best score: ties to more weight, then the earlier answer, as {@link #verdict}} */
    static int best(List<Vote> votes, Map<String, List<Integer>> groups, double[] scores) {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        double bestWeight = 0;
        int i = 0;
        for (List<Integer> voters : groups.values()) {
            double weight = 0;
            for (int v : voters) {
                weight += votes.get(v).weight();
            }
            if (scores[i] > bestScore + 1e-12 || (Math.abs(scores[i] - bestScore) <= 1e-12 && weight > bestWeight)) {
                best = i;
                bestScore = scores[i];
                bestWeight = weight;
            }
            i++;
        }
        return best;
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

    /** Signal of expert {@code k}'s record of how often {@code other} gave the same answer when {@code k} was wrong. */
    static String pair(String other) {
        String signal = PAIR + other;
        return signal.length() <= 100 ? signal : PAIR + "#" + Integer.toHexString(other.hashCode());
    }

    /** Signal of an expert's record of how often any other expert gave the same answer when it was wrong. */
    static final String PAIR_ANY = "pair:*";
    private static final String PAIR = "pair:";

    /**
     * What one judged vote adds to its expert's record: right or wrong under each of its {@link #signals}, and, when it
     * was wrong, for each other expert who answered, whether that one gave the same wrong answer ({@link #pair}), so
     * that experts who make the same mistakes are not counted as independent evidence.
     *
     * @param votes the ballot
     * @param index the judged vote, which has an answer
     * @param truth the right answer
     * @return counts per signal: answers ({@code [0]}) and right ones, or for pairs agreements ({@code [1]})
     */
    static Map<String, long[]> outcomes(List<Vote> votes, int index, String truth) {
        String answer = votes.get(index).answer();
        boolean right = truth.equals(answer);
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (String signal : signals(votes, answer)) {
            counts.put(signal, new long[]{1, right ? 1 : 0});
        }
        if (!right) {
            long[] any = {0, 0};
            for (int j = 0; j < votes.size(); j++) {
                Vote other = votes.get(j);
                if (j != index && other.answer() != null) {
                    long same = answer.equals(other.answer()) ? 1 : 0;
                    counts.merge(pair(other.expert()), new long[]{1, same}, (a, b) -> new long[]{a[0] + b[0], a[1]
                            + b[1]});
                    any[0]++;
                    any[1] += same;
                }
            }
            counts.put(PAIR_ANY, any);
        }
        return counts;
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

    /** {@return whether the answer is a number: an integer, a decimal or a fraction} */
    static boolean numeric(String answer) {
        return numericShape(shape(answer));
    }

    /** {@return whether an answer of this {@link #shape} is a number} */
    static boolean numericShape(String shape) {
        return shape.equals("shape:integer") || shape.equals("shape:decimal") || shape.equals("shape:fraction");
    }

    static @Nullable String firstAnswer(List<Vote> votes) {
        return votes.stream().map(Vote::answer).filter(a -> a != null).findFirst().orElse(null);
    }
}
