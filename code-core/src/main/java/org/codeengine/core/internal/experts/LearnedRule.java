package org.codeengine.core.internal.experts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Vote;

/**
 * A scorer of candidate answers learned from reported truth: a regularised conditional logistic regression (a softmax
 * over the ballot's distinct answers and "none of these") over features of each answer and of the replies that back
 * it:
 *
 * <ul>
 * <li>{@code scatter}: the answer's {@link ScatterRule} score (its backers' records, how many distinct answers there
 * are, how far its backers repeat each other's mistakes); the model starts as that rule (weight 1, every other 0);
 * <li>per backer, summed: its reasoning's last number is the answer ({@code agree}) or another number
 * ({@code disagree}), the reply lacks the answer field ({@code no-field}), is cut off ({@code cut-off}), hedges
 * ({@code hedged}), its length against the ballot's median ({@code length}, log ratio), writes other answers of the
 * ballot in its working ({@code mentions-others}: it went past them), and one ({@code backers});
 * <li>how many replies that give another answer write this one in their working ({@code mentioned-by-others}: an
 * intermediate step that others went past); both only among the {@value #LEADERS} answers {@link ScatterRule} scores
 * best;
 * <li>the answer's form ({@code shape:decimal|fraction|letter|text}; an integer is the reference);
 * <li>which members back it ({@code backer:<expert>});
 * <li>for "none of these": a bias and the log of the number of distinct answers.
 * </ul>
 *
 * <p>Each reported question is one step of AdaGrad on the log-loss of the truth (or of "none" when no expert gave it),
 * with an L2 pull toward the starting weights. The weights are kept in the panel's record in the reliability book, as
 * sums of their updates in billionths (signal {@code learned:<feature>}: the weight's change in {@code answered}, the
 * squared gradients in {@code correct}), so that they survive a restart as the experts' records do and reports from
 * several threads add up. The default strategy scores this rule on every reported question before it learns from it,
 * as every other rule, and uses it only where its record is the best.
 */
final class LearnedRule implements Rule {
    static final String NAME = "learned";
    private static final double SCALE = 1e9;
    private static final double RATE = 0.05;
    private static final double L2 = 1e-3;
    private static final double SCORE_BOUND = 50;
    /**
     * How many answers, the best by {@link ScatterRule}, are looked for in the other replies' working: a decision is
     * between the leaders, and the look-up costs a search of every reply per answer.
     */
    private static final int LEADERS = 4;
    private static final String PREFIX = "learned:";
    /** The answer features in the order of {@link #features}: name and starting weight. */
    private static final String[] NAMES = {"scatter", "agree", "disagree", "no-field", "cut-off", "hedged", "length",
            "backers", "shape:decimal", "shape:fraction", "shape:letter", "shape:text", "mentions-others",
            "mentioned-by-others"};
    private static final String[] SIGNALS = Arrays.stream(NAMES).map(n -> PREFIX + n).toArray(String[]::new);
    private static final String NONE = PREFIX + "none";
    private static final String NONE_DISTINCT = PREFIX + "none:distinct";
    /** The starting bias of "none of these", as {@link ScatterRule}'s. */
    private static final double NONE_START = -Math.log(20);

    private final ScatterRule scatter = new ScatterRule();
    private final Function<List<Vote>, String> circle;

    /** @param circle the pseudo-expert under which the record of the panel of a ballot is kept */
    LearnedRule(Function<List<Vote>, String> circle) {
        this.circle = circle;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Scored score(List<Vote> votes, Map<String, List<Integer>> groups, Reliability reliability) {
        Model model = model(votes, groups, reliability);
        double[] p = model.probabilities();
        double best = 0;
        for (int i = 0; i < model.scores.length; i++) {
            best = Math.max(best, p[i]);
        }
        return new Scored(model.scores, best);
    }

    /**
     * One step of learning from a reported question.
     *
     * @param votes the ballot
     * @param groups its distinct answers
     * @param truth the right answer
     * @param reliability the records as they stand before this question
     * @param counts where the updates of the weights are put, as counts to add to the panel's record
     */
    void learn(List<Vote> votes, Map<String, List<Integer>> groups, String truth, Reliability reliability,
            Map<String, long[]> counts) {
        Model model = model(votes, groups, reliability);
        double[] p = model.probabilities();
        int right = List.copyOf(groups.keySet()).indexOf(truth); // -1: none of these
        int candidates = model.scores.length;
        Map<String, Double> gradient = new LinkedHashMap<>();
        for (int i = 0; i < candidates; i++) {
            double residual = p[i] - (i == right ? 1 : 0);
            double[] x = model.features[i];
            for (int f = 0; f < NAMES.length; f++) {
                if (x[f] != 0) {
                    gradient.merge(SIGNALS[f], residual * x[f], Double::sum);
                }
            }
            for (String backer : model.backers.get(i)) {
                gradient.merge(backer, residual, Double::sum);
            }
        }
        double residual = p[candidates] - (right < 0 ? 1 : 0);
        gradient.merge(NONE, residual, Double::sum);
        gradient.merge(NONE_DISTINCT, residual * Math.log(candidates), Double::sum);
        for (var g : gradient.entrySet()) {
            Reliability.Record record = reliability.of(model.circle, g.getKey());
            double offset = record.answered() / SCALE;
            double step = g.getValue() + L2 * offset;
            double squares = record.correct() / SCALE + step * step;
            double change = -RATE * step / Math.sqrt(squares + 1e-9);
            counts.put(g.getKey(), new long[]{Math.round(change * SCALE), Math.round(step * step * SCALE)});
        }
    }

    /** The features and scores of a ballot's answers under the current weights. */
    private Model model(List<Vote> votes, Map<String, List<Integer>> groups, Reliability reliability) {
        String panel = circle.apply(votes);
        double[] weights = new double[NAMES.length];
        for (int f = 0; f < NAMES.length; f++) {
            weights[f] = (f == 0 ? 1 : 0) + reliability.of(panel, SIGNALS[f]).answered() / SCALE;
        }
        double[] base = scatter.score(votes, groups, reliability).scores();
        int candidates = groups.size();
        List<String> answers = List.copyOf(groups.keySet());
        // each reply's form is read once, knowing its answer's shape; a reply's own answer is never looked for in it
        String[] shapes = new String[candidates];
        int[] answerOf = new int[votes.size()]; // the index of the vote's answer, -1 for none
        Arrays.fill(answerOf, -1);
        ReplyForm[] forms = new ReplyForm[votes.size()];
        int[] lengths = new int[votes.size()];
        int answered = 0;
        int g = 0;
        for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
            shapes[g] = Ballots.shape(group.getKey());
            boolean numeric = Ballots.numericShape(shapes[g]);
            for (int v : group.getValue()) {
                answerOf[v] = g;
                forms[v] = ReplyForm.of(votes.get(v).reply(), group.getKey(), numeric);
                lengths[answered++] = forms[v].length();
            }
            g++;
        }
        Arrays.sort(lengths, 0, answered);
        double median = answered == 0 ? 0 : lengths[answered / 2];
        boolean[] mentions = new boolean[votes.size() * candidates]; // [v * candidates + g]: reply v writes answer g
        for (int leader : leaders(base)) {
            if (Ballots.numericShape(shapes[leader])) {
                for (int v = 0; v < votes.size(); v++) {
                    mentions[v * candidates + leader] = answerOf[v] >= 0 && answerOf[v] != leader && forms[v].writes(
                            votes.get(v).reply(), answers.get(leader));
                }
            }
        }
        double[][] features = new double[candidates][];
        List<List<String>> backers = new ArrayList<>(candidates);
        double[] scores = new double[candidates];
        int i = 0;
        for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
            double[] x = new double[NAMES.length];
            x[0] = Math.clamp(base[i], -SCORE_BOUND, SCORE_BOUND);
            List<String> members = new ArrayList<>(group.getValue().size());
            double score = 0;
            for (int v : group.getValue()) {
                Vote vote = votes.get(v);
                ReplyForm form = forms[v];
                double w = vote.weight();
                x[1] += form.agreement() > 0 ? w : 0;
                x[2] += form.agreement() < 0 ? w : 0;
                x[3] += form.field() ? 0 : w;
                x[4] += form.cutOff() ? w : 0;
                x[5] += form.hedged() ? w : 0;
                x[6] += w * Math.log((form.length() + 50) / (median + 50));
                x[7] += w;
                for (int other = 0; other < candidates; other++) {
                    x[12] += other != i && mentions[v * candidates + other] ? w : 0;
                }
                String backer = backer(vote.expert());
                members.add(backer);
                score += w * reliability.of(panel, backer).answered() / SCALE;
            }
            for (int v = 0; v < votes.size(); v++) {
                x[13] += mentions[v * candidates + i] ? votes.get(v).weight() : 0; // never by a reply that gives it
            }
            switch (shapes[i]) {
                case "shape:decimal" -> x[8] = 1;
                case "shape:fraction" -> x[9] = 1;
                case "shape:letter" -> x[10] = 1;
                case "shape:text" -> x[11] = 1;
                default -> {
                }
            }
            for (int f = 0; f < NAMES.length; f++) {
                score += weights[f] * x[f];
            }
            features[i] = x;
            backers.add(members);
            scores[i++] = score;
        }
        double none = NONE_START + reliability.of(panel, NONE).answered() / SCALE + Math.log(candidates) * reliability
                .of(panel, NONE_DISTINCT).answered() / SCALE;
        return new Model(panel, features, backers, scores, none);
    }

    /** {@return the indexes of the {@value #LEADERS} best scores, the only answers whose mentions are looked for} */
    private static int[] leaders(double[] scores) {
        if (scores.length <= LEADERS) {
            int[] all = new int[scores.length];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] top = new int[LEADERS];
        boolean[] taken = new boolean[scores.length];
        for (int k = 0; k < LEADERS; k++) {
            int best = -1;
            for (int i = 0; i < scores.length; i++) {
                if (!taken[i] && (best < 0 || scores[i] > scores[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            top[k] = best;
        }
        return top;
    }

    private static String backer(String expert) {
        String signal = PREFIX + "backer:" + expert;
        return signal.length() <= 100 ? signal : PREFIX + "backer:#" + Integer.toHexString(expert.hashCode());
    }

    /** A ballot under the model: each answer's features, backers' signals and score, and the score of "none". */
    private record Model(String circle, double[][] features, List<List<String>> backers, double[] scores, double none) {
        /** {@return the softmax over the answers and, last, "none of these"} */
        double[] probabilities() {
            double max = none;
            for (double s : scores) {
                max = Math.max(max, s);
            }
            double[] p = new double[scores.length + 1];
            double sum = 0;
            for (int i = 0; i <= scores.length; i++) {
                p[i] = Math.exp((i < scores.length ? scores[i] : none) - max);
                sum += p[i];
            }
            for (int i = 0; i < p.length; i++) {
                p[i] /= sum;
            }
            return p;
        }
    }
}
