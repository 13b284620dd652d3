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
 * ballot in its working ({@code mentions-others}: it went past them), writes more than a number in its answer field
 * ({@code loose-field}: units, a remark, a second figure; {@link ReplyForm#looseField}), writes out a sum that does not
 * hold ({@code slipped}: {@link Arithmetic#slips}), doubts its result ({@code doubts}: rounds a count, finds a
 * fraction of a thing, says its working went wrong; {@link ReplyForm#doubts}), how many statements ({@code a = b})
 * its working writes against the ballot's median ({@code statements}, log ratio: a reply that reaches its answer
 * without writing out the steps more often skipped one; {@link Arithmetic#read}), and one ({@code backers});
 * <li>how many replies that give another answer write this one in their working ({@code mentioned-by-others}), and
 * whether every one of them does ({@code mentioned-by-all}: an intermediate step that all the others went past, which
 * a reply that stopped early gives; a count alone cannot say this, because an answer one other reply passed through is
 * more often right than one none wrote, and one that all of them passed through far less often); the mentions only among
 * the {@value #LEADERS} answers {@link ScatterRule} scores best;
 * <li>the answer's form ({@code shape:decimal|fraction|letter|text}; an integer is the reference);
 * <li>which members back it ({@code backer:<expert>});
 * <li>for "none of these": a bias and the log of the number of distinct answers.
 * </ul>
 *
 * <p>The weights are fitted to the panel's reported questions by {@link LearnedFit}: the regularised log-loss of the
 * truth (or of "none" when no expert gave it) over every kept report, solved to its optimum and refitted whenever a
 * {@value #REFIT}th of the reports are new. (The rule's first form took one AdaGrad step per report: after a few
 * hundred reports its weights were still far from the optimum, and it lost to the rules it holds.) The weights are
 * kept in the panel's record in the reliability book, in billionths from their starting values (signal
 * {@code learned:<feature>}, in {@code answered}), so that they survive a restart as the experts' records do. A refit
 * replaces them as one set ({@link Ledger#replace}, versioned under {@code learned:version}), never adds its change to
 * them: two hosts on one store that refit from the same weights would otherwise apply the change twice. Each host
 * fits the reports it saw; where another host wrote its fit after this one read the weights, the newer fit is written
 * over it whole. The default strategy scores this rule on every reported question before it learns from it, as every other rule.
 */
final class LearnedRule implements Rule {
    static final String NAME = "learned";
    private static final double SCALE = 1e9;
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
            "mentioned-by-others", "loose-field", "slipped", "doubts", "mentioned-by-all", "statements"};
    private static final String[] SIGNALS = Arrays.stream(NAMES).map(n -> PREFIX + n).toArray(String[]::new);
    private static final String NONE = PREFIX + "none";
    private static final String NONE_DISTINCT = PREFIX + "none:distinct";
    /** The starting bias of "none of these", as {@link ScatterRule}'s. */
    private static final double NONE_START = -Math.log(20);

    /** The weights are refitted when a {@value}th of the reports since this process started are new. */
    private static final int REFIT = 20;
    /** How many times a refit tries to write its weights where other hosts keep writing theirs first. */
    private static final int WRITES = 5;
    private final ScatterRule scatter = new ScatterRule();
    private final Map<String, Panel> panels = new java.util.concurrent.ConcurrentHashMap<>();
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
     * @param reliability the records as they stand before this question, where the refitted weights are written
     */
    void learn(List<Vote> votes, Map<String, List<Integer>> groups, String truth, Ledger reliability) {
        Model model = model(votes, groups, reliability);
        int right = List.copyOf(groups.keySet()).indexOf(truth); // -1: none of these
        int candidates = model.scores.length;
        Panel panel = panels.computeIfAbsent(model.circle, c -> new Panel());
        synchronized (panel) {
            LearnedFit fit = panel.fit;
            List<LearnedFit.Row> options = new ArrayList<>(candidates + 1);
            for (int i = 0; i < candidates; i++) {
                double[] x = model.features[i];
                List<String> backers = model.backers.get(i);
                int[] at = new int[NAMES.length + backers.size()];
                double[] values = new double[at.length];
                for (int f = 0; f < NAMES.length; f++) {
                    at[f] = fit.weight(SIGNALS[f], weight(reliability, model.circle, f));
                    values[f] = x[f];
                }
                for (int b = 0; b < backers.size(); b++) {
                    at[NAMES.length + b] = fit.weight(backers.get(b), reliability.of(model.circle, backers.get(b))
                            .answered() / SCALE);
                    values[NAMES.length + b] = model.backerWeights.get(i)[b];
                }
                options.add(new LearnedFit.Row(at, values, 0));
            }
            options.add(new LearnedFit.Row(new int[]{fit.weight(NONE, reliability.of(model.circle, NONE).answered()
                    / SCALE), fit.weight(NONE_DISTINCT,
                            reliability.of(model.circle, NONE_DISTINCT).answered()
                                    / SCALE)},
                    new double[]{1, Math.log(candidates)}, NONE_START));
            fit.add(new LearnedFit.Ballot(options, right < 0 ? candidates : right));
            panel.reports++;
            if (panel.reports < panel.nextFit) {
                return;
            }
            panel.nextFit = panel.reports + Math.max(1, panel.reports / REFIT);
            List<String> names = fit.names();
            double[] now = new double[names.size()];
            for (int k = 0; k < now.length; k++) {
                now[k] = current(reliability, model.circle, names.get(k));
            }
            double[] solved = fit.solve(now);
            Map<String, Long> values = new LinkedHashMap<>();
            for (int k = 0; k < now.length; k++) {
                values.put(names.get(k), Math.round((solved[k] - start(names.get(k))) * SCALE));
            }
            // the optimum of this host's reports, whatever weights it started from: where another host wrote its own
            // fit since this one read the weights, this one is written over it, never added to it
            for (int attempt = 1; !reliability.replace(model.circle, PREFIX, values); attempt++) {
                if (attempt >= WRITES) {
                    return; // the hosts keep writing over each other: the next refit writes again
                }
            }
        }
    }

    /** {@return a named weight's starting value: 1 for the scatter score, 0 for every other} */
    private static double start(String name) {
        return name.equals(SIGNALS[0]) ? 1 : 0;
    }

    /** {@return the value of a named weight of the panel now: its starting value and the changes in its record} */
    private static double current(Reliability reliability, String panel, String name) {
        return start(name) + reliability.of(panel, name).answered() / SCALE;
    }

    private static double weight(Reliability reliability, String panel, int feature) {
        return current(reliability, panel, SIGNALS[feature]);
    }

    /** A panel's kept reports and when its weights are next refitted. */
    private static final class Panel {
        final LearnedFit fit = new LearnedFit();
        long reports;
        long nextFit;
    }

    /** The features and scores of a ballot's answers under the current weights. */
    private Model model(List<Vote> votes, Map<String, List<Integer>> groups, Reliability reliability) {
        String panel = circle.apply(votes);
        double[] weights = new double[NAMES.length];
        for (int f = 0; f < NAMES.length; f++) {
            weights[f] = weight(reliability, panel, f);
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
        // each reply's working is read once, from one copy of its characters: its statements against the ballot's
        // median, and its slips
        Arithmetic.Working[] worked = new Arithmetic.Working[votes.size()];
        int[] statements = new int[answered];
        int longest = 0;
        for (int v = 0; v < votes.size(); v++) {
            longest = forms[v] == null ? longest : Math.max(longest, forms[v].length());
        }
        char[] scratch = Arithmetic.scratch(longest);
        for (int v = 0, k = 0; v < votes.size(); v++) {
            if (forms[v] != null) {
                worked[v] = Arithmetic.read(votes.get(v).reply(), forms[v].working(), scratch);
                statements[k++] = worked[v].statements();
            }
        }
        Arrays.sort(statements);
        double medianStatements = answered == 0 ? 0 : statements[answered / 2];
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
        List<double[]> backerWeights = new ArrayList<>(candidates);
        double[] scores = new double[candidates];
        int i = 0;
        for (Map.Entry<String, List<Integer>> group : groups.entrySet()) {
            double[] x = new double[NAMES.length];
            x[0] = Math.clamp(base[i], -SCORE_BOUND, SCORE_BOUND);
            List<String> members = new ArrayList<>(group.getValue().size());
            double[] memberWeights = new double[group.getValue().size()];
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
                x[14] += form.loose(vote.reply()) ? w : 0;
                x[15] += worked[v].slips() > 0 ? w : 0;
                x[16] += form.doubts() ? w : 0;
                x[18] += w * Math.log((worked[v].statements() + 1) / (medianStatements + 1));
                for (int other = 0; other < candidates; other++) {
                    x[12] += other != i && mentions[v * candidates + other] ? w : 0;
                }
                String backer = backer(vote.expert());
                memberWeights[members.size()] = w;
                members.add(backer);
                score += w * reliability.of(panel, backer).answered() / SCALE;
            }
            int others = 0; // the replies that give another answer, and how many of them write this one
            int mentioning = 0;
            for (int v = 0; v < votes.size(); v++) {
                x[13] += mentions[v * candidates + i] ? votes.get(v).weight() : 0; // never by a reply that gives it
                others += answerOf[v] >= 0 && answerOf[v] != i ? 1 : 0;
                mentioning += mentions[v * candidates + i] ? 1 : 0;
            }
            x[17] = others > 0 && mentioning == others ? 1 : 0;
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
            backerWeights.add(memberWeights);
            scores[i++] = score;
        }
        double none = NONE_START + reliability.of(panel, NONE).answered() / SCALE + Math.log(candidates) * reliability
                .of(panel, NONE_DISTINCT).answered() / SCALE;
        return new Model(panel, features, backers, backerWeights, scores, none);
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
    private record Model(String circle, double[][] features, List<List<String>> backers, List<double[]> backerWeights,
            double[] scores, double none) {
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
