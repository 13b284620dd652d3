package org.codeengine.core.internal.experts;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The reported ballots of one panel, as the {@link LearnedRule} saw them, and the weights that fit them best: a
 * regularised conditional logistic regression solved to its optimum by Newton's method over every kept ballot, where
 * one gradient step per report (the rule's first form) left the weights far from it after a few hundred reports.
 *
 * <p>Each option of a ballot (each distinct answer, and "none of these") is a sparse row of feature values over named
 * weights. The loss is the log-loss of the reported truth summed over the kept ballots, plus a pull times the
 * squared distance of each weight from its anchor: the weights the panel had when this process first saw one of its
 * reports (the starting weights on a new panel), so that a restart, which loses the kept ballots but not the weights,
 * goes on from where it was. At most {@value #KEPT} ballots are kept, the most recent. Not thread-safe: the rule
 * guards each panel's fit.
 *
 * <p>The pull is chosen by cross-validation on the kept ballots, not fixed: how far the data should move the weights
 * from their anchors depends on how many ballots there are, how many weights (a backer weight per member) and how
 * separable the panel's answers are, none of which a constant knows. Each time the ballots added have doubled since the
 * last choice (the first at {@value #CROSS_VALIDATE_FROM}), every pull of {@link #PULLS} is fitted on {@value #FOLDS} - 1 of
 * {@value #FOLDS} interleaved folds and scored by the log-loss of the fold left out; the pull with the least summed
 * held-out loss is used until the next choice. Until then, and after a restart, the pull is {@value #L2}.
 */
final class LearnedFit {
    static final int KEPT = 2000;
    /** The pull of each weight toward its anchor, against the summed log-loss, before one is chosen. */
    static final double L2 = 0.3;
    /** The pulls cross-validation chooses from: a geometric grid around {@link #L2}, a decade and a half each way. */
    static final double[] PULLS = {0.01, 0.03, 0.1, 0.3, 1, 3, 10};
    static final int FOLDS = 5;
    static final int CROSS_VALIDATE_FROM = 64;
    private static final int ITERATIONS = 25;

    private final Map<String, Integer> index = new HashMap<>();
    private final List<String> names = new ArrayList<>();
    private final List<Double> anchors = new ArrayList<>();
    private final ArrayDeque<Ballot> ballots = new ArrayDeque<>();
    private double pull = L2;
    /** How many ballots were added, and at how many the pull is next chosen. */
    private long added;
    private long nextChoice = CROSS_VALIDATE_FROM;

    /** One option's features: weight indexes and values, and a fixed offset added to its score. */
    record Row(int[] at, double[] values, double offset) {}

    /** One reported ballot: its options (the last is "none of these") and the index of the right one. */
    record Ballot(List<Row> options, int right) {}

    /**
     * @param name a weight's name
     * @param anchor its value now, used as its anchor if it is new to this fit
     * @return the weight's index
     */
    int weight(String name, double anchor) {
        Integer at = index.get(name);
        if (at == null) {
            at = names.size();
            index.put(name, at);
            names.add(name);
            anchors.add(anchor);
        }
        return at;
    }

    /** {@return the pull toward the anchors now in use} */
    double pull() {
        return pull;
    }

    /** {@return the weights' names, by index} */
    List<String> names() {
        return names;
    }

    /** Keeps a reported ballot, dropping the oldest beyond {@value #KEPT}. */
    void add(Ballot ballot) {
        ballots.addLast(ballot);
        added++;
        if (ballots.size() > KEPT) {
            ballots.removeFirst();
        }
    }

    /**
     * @param start the weights to start from, by index (missing ones: their anchors)
     * @return the weights that minimise the regularised log-loss of the kept ballots, under the pull chosen by
     *         cross-validation when the ballots added last doubled
     */
    double[] solve(double[] start) {
        double[] w = new double[names.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = i < start.length ? start[i] : anchors.get(i);
        }
        List<Ballot> all = List.copyOf(ballots);
        if (added >= nextChoice) {
            nextChoice = 2 * added;
            pull = choosePull(all, w);
        }
        return solve(w, all, pull);
    }

    /** {@return the pull of {@link #PULLS} whose fits on all folds but one best predict the fold left out} */
    private double choosePull(List<Ballot> all, double[] start) {
        double best = pull;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (double candidate : PULLS) {
            double heldOut = 0;
            for (int fold = 0; fold < FOLDS; fold++) {
                List<Ballot> train = new ArrayList<>(all.size());
                List<Ballot> test = new ArrayList<>(all.size() / FOLDS + 1);
                for (int b = 0; b < all.size(); b++) {
                    (b % FOLDS == fold ? test : train).add(all.get(b));
                }
                heldOut += loss(solve(start, train, candidate), test, 0);
            }
            if (heldOut < bestLoss) {
                best = candidate;
                bestLoss = heldOut;
            }
        }
        return best;
    }

    /** {@return the weights that minimise the log-loss of {@code set} plus {@code l2} times their pull, by Newton} */
    private double[] solve(double[] start, List<Ballot> set, double l2) {
        int n = start.length;
        double[] w = start.clone();
        double loss = loss(w, set, l2);
        for (int it = 0; it < ITERATIONS; it++) {
            double[] gradient = new double[n];
            double[][] hessian = new double[n][n];
            derivatives(w, set, l2, gradient, hessian);
            double[] step = Newton.solve(hessian, gradient);
            if (step == null) {
                return w;
            }
            double scale = 1;
            double[] next = new double[n];
            double nextLoss;
            do {
                for (int i = 0; i < n; i++) {
                    next[i] = w[i] - scale * step[i];
                }
                nextLoss = loss(next, set, l2);
                scale /= 2;
            } while (nextLoss > loss && scale > 1e-4);
            if (nextLoss > loss) {
                return w;
            }
            boolean done = loss - nextLoss < 1e-7 * (1 + Math.abs(loss));
            w = next.clone();
            loss = nextLoss;
            if (done) {
                break;
            }
        }
        return w;
    }

    private double loss(double[] w, List<Ballot> set, double l2) {
        double loss = 0;
        for (int i = 0; i < w.length; i++) {
            loss += l2 * (w[i] - anchors.get(i)) * (w[i] - anchors.get(i));
        }
        for (Ballot b : set) {
            double[] p = probabilities(b, w);
            loss -= Math.log(Math.max(p[b.right()], 1e-300));
        }
        return loss;
    }

    private void derivatives(double[] w, List<Ballot> set, double l2, double[] gradient, double[][] hessian) {
        for (int i = 0; i < w.length; i++) {
            gradient[i] = 2 * l2 * (w[i] - anchors.get(i));
            hessian[i][i] = 2 * l2;
        }
        double[] mean = new double[w.length];
        for (Ballot b : set) {
            double[] p = probabilities(b, w);
            java.util.Arrays.fill(mean, 0);
            for (int o = 0; o < p.length; o++) {
                Row row = b.options().get(o);
                double residual = p[o] - (o == b.right() ? 1 : 0);
                for (int k = 0; k < row.at().length; k++) {
                    gradient[row.at()[k]] += residual * row.values()[k];
                    mean[row.at()[k]] += p[o] * row.values()[k];
                }
            }
            // Hessian of the log-loss: the covariance of the features under p, sum_o p_o x_o x_o' - mean mean'
            for (int o = 0; o < p.length; o++) {
                Row row = b.options().get(o);
                for (int k = 0; k < row.at().length; k++) {
                    for (int l = 0; l < row.at().length; l++) {
                        hessian[row.at()[k]][row.at()[l]] += p[o] * row.values()[k] * row.values()[l];
                    }
                }
            }
            for (int k = 0; k < w.length; k++) {
                if (mean[k] != 0) {
                    for (int l = 0; l < w.length; l++) {
                        hessian[k][l] -= mean[k] * mean[l];
                    }
                }
            }
        }
    }

    private static double[] probabilities(Ballot b, double[] w) {
        double[] s = new double[b.options().size()];
        for (int o = 0; o < s.length; o++) {
            Row row = b.options().get(o);
            s[o] = row.offset();
            for (int k = 0; k < row.at().length; k++) {
                s[o] += w[row.at()[k]] * row.values()[k];
            }
        }
        return UnsupervisedStrategy.softmax(s);
    }

    /** Solves the Newton system by Gaussian elimination with partial pivoting. */
    private static final class Newton {
        private Newton() {}

        /** {@return x with a x = b, or null if a is singular} */
        static double[] solve(double[][] a, double[] b) {
            int n = b.length;
            double[][] m = new double[n][];
            for (int i = 0; i < n; i++) {
                m[i] = java.util.Arrays.copyOf(a[i], n + 1);
                m[i][n] = b[i];
            }
            for (int c = 0; c < n; c++) {
                int pivot = c;
                for (int r = c + 1; r < n; r++) {
                    if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
                        pivot = r;
                    }
                }
                if (Math.abs(m[pivot][c]) < 1e-12) {
                    return null;
                }
                double[] t = m[c];
                m[c] = m[pivot];
                m[pivot] = t;
                for (int r = c + 1; r < n; r++) {
                    double f = m[r][c] / m[c][c];
                    if (f != 0) {
                        for (int k = c; k <= n; k++) {
                            m[r][k] -= f * m[c][k];
                        }
                    }
                }
            }
            double[] x = new double[n];
            for (int r = n - 1; r >= 0; r--) {
                double s = m[r][n];
                for (int k = r + 1; k < n; k++) {
                    s -= m[r][k] * x[k];
                }
                x[r] = s / m[r][r];
            }
            return x;
        }
    }
}
