package org.codeengine.core.internal.experts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;

/**
 * The default: the {@link LearnedRule} scorer over answer and reply features, unless another rule ({@link LogOddsRule}
 * with and without its discount for experts that repeat each other's mistakes, {@link ScatterRule}, plain majority, the
 * best member alone, or {@code agreement}: the panel's {@link UnsupervisedStrategy} fitted to every ballot it decided,
 * judged or not) has clearly done better on this panel's recent reported questions; it says which and why in the
 * verdict's rationale.
 *
 * <p>Before any question of a panel is judged (a host that never reports the truth, or the first {@value #WARMUP}
 * reports), the learned rule has nothing to learn from and is a majority vote; once the panel has decided
 * {@value #AGREEMENT_FROM} ballots with an answer, the {@code agreement} rule decides instead: its experts' chances,
 * fitted to how often they agree, are the only evidence of who is right that a panel with no reported truth has. (On
 * the stress committees with no truth reported, it took the default from 0.32 points under the better of best member
 * and majority to 0.62 over, on average; on the hardened data from 2.7 under to 1.3 over.)
 *
 * <p>The record is kept honestly: when a host reports the truth of a question ({@link #judge}), every rule decides
 * that question first with the experts' records (and the learned rule's weights) as they stood before it, and only
 * then are they updated, so each rule is scored on questions it had not learned from (prequential, or
 * leave-future-out, cross-validation). The first {@value #WARMUP} reports of a panel only teach the records.
 *
 * <p>Why the learned rule by default, and a sign test to leave it: it holds every other rule's evidence (the scatter
 * score is one of its features, the backers' identities and the number of distinct answers others), so where the
 * others do well it learns to follow them, and on the stress committees (one strong and two weak members,
 * near-duplicates, all weak) it held the better of majority and the best member where the choice by best record did
 * not. But it has the most weights to learn, so its prequential record understates it early on, and rules differ on
 * few questions (a few to a few dozen of a few hundred), so choosing by best record, or by a lead of two standard
 * errors of a normal approximation on five questions, chose by noise. So another rule is used only where, on the
 * recent reports (those since the panel's report count last passed a power of two and the span before: at least the
 * last half, so that what a rule did while its records were thin fades), it beats the learned rule beyond chance: on
 * the questions where one of the two was right and the other wrong, the exact one-sided sign test (each side equally
 * likely under no difference) gives a p-value at most the rule's share of {@value #ALPHA} (weighted Bonferroni over
 * the rules compared, so that the chance that any of them is chosen by luck stays at most {@value #ALPHA}). The share
 * follows the risk of the switch: the two safe baselines (majority, best member) share one half, the other rules,
 * which may fall below both on questions unlike those reported, share the other. The exact test sets the least
 * evidence itself: a baseline needs at least 7 such questions, all won, another rule at least 8. Where several pass,
 * the one with the smallest p-value against its share is used.
 *
 * <p>The confidence is calibrated on the same record: per rule, the reported questions are binned by the rule's raw
 * confidence in tenths, and the confidence given is the share right in that bin, shrunk toward the raw value.
 *
 * <p>The panel's records are kept under the pseudo-expert {@code circle:<hash of the member ids>} in the reliability
 * book, so they survive a restart as the experts' own records do; the {@code agreement} rule's history of ballots is
 * kept in memory only (at most {@value #AGREEMENT_WINDOW} per panel) and starts again after a restart.
 */
public final class ReliabilityStrategy implements ConsensusStrategy {
    static final int WARMUP = 30;
    /** The chance, at most, that a rule is chosen over the learned rule where it is not better. */
    static final double ALPHA = 0.05;
    private static final double CALIBRATION_STRENGTH = 5;
    private static final String REPORTS = "reports";
    private final Map<String, String> circles = new ConcurrentHashMap<>();
    /** How many of a panel's recent ballots, judged or not, its {@link UnsupervisedStrategy} is fitted to. */
    static final int AGREEMENT_WINDOW = 5_000;
    /** How many answered ballots the agreement rule must have seen to decide a panel with no question judged. */
    static final int AGREEMENT_FROM = 50;
    private final LearnedRule learned = new LearnedRule(this::circle);
    private final Map<String, UnsupervisedStrategy> agreement = new ConcurrentHashMap<>();
    private final Rule agreementRule = new Rule.Named("agreement", (votes, groups, reliability) -> agreement(circle(
            votes)).score(votes, groups));
    private final List<Rule> rules = List.of(learned, new LogOddsRule(true), new ScatterRule(), new LogOddsRule(false),
            Rule.MAJORITY, Rule.BEST_MEMBER, agreementRule);
    private final String[] ruleSignals = rules.stream().map(r -> "rule:" + r.name()).toArray(String[]::new);
    private final String[][] binSignals = new String[rules.size()][10];

    /** A strategy with no panel seen yet: its records are all in the reliability book it is given. */
    public ReliabilityStrategy() {
        for (int r = 0; r < rules.size(); r++) {
            for (int b = 0; b < 10; b++) {
                binSignals[r][b] = "calibration:" + rules.get(r).name() + ":" + b;
            }
        }
    }

    private final Map<String, Choice> choices = new ConcurrentHashMap<>();

    /** The rule a panel uses, why, and on how many judged questions that was decided. */
    private record Choice(int rule, String why, long judged) {}

    @Override
    public String name() {
        return "reliability";
    }

    @Override
    public Verdict decide(List<Vote> votes, Reliability reliability) {
        Map<String, List<Integer>> groups = Ballots.byAnswer(votes);
        if (groups.isEmpty()) {
            return new Verdict(null, 0, List.of(), "no expert gave an answer");
        }
        String circle = circle(votes);
        agreement(circle).learn(votes, groups);
        Choice choice = choose(circle, reliability);
        Rule.Scored scored = rules.get(choice.rule()).score(votes, groups, reliability);
        Reliability.Record bin = reliability.of(circle, binSignals[choice.rule()][bin(scored.confidence())]);
        double confidence = (bin.correct() + CALIBRATION_STRENGTH * scored.confidence()) / (bin.answered()
                + CALIBRATION_STRENGTH);
        return Ballots.verdict(votes, groups, scored.scores(), confidence, choice.why());
    }

    /**
     * Scores every rule on a question whose truth was reported, before the experts' records learn from it. Call it
     * before the experts' own counts are added.
     *
     * @param votes the ballot
     * @param truth the right answer, normalised as the votes' answers are
     * @param book where the panel's record is kept
     */
    public void judge(List<Vote> votes, String truth, Ledger book) {
        String circle = circle(votes);
        Map<String, long[]> counts = new LinkedHashMap<>();
        counts.put(REPORTS, new long[]{1, 0});
        Map<String, List<Integer>> groups = Ballots.byAnswer(votes);
        long reports = book.of(circle, REPORTS).answered();
        if (reports >= WARMUP && !groups.isEmpty()) {
            int span = span(reports);
            List<String> answers = List.copyOf(groups.keySet());
            long[] right = new long[rules.size()];
            for (int r = 0; r < rules.size(); r++) {
                Rule.Scored scored = rules.get(r).score(votes, groups, book);
                right[r] = truth.equals(answers.get(Ballots.best(votes, groups, scored.scores()))) ? 1 : 0;
                counts.put(ruleSignals[r], new long[]{1, right[r]});
                counts.put(ruleSignals[r] + "@" + span, new long[]{1, right[r]});
                counts.put(binSignals[r][bin(scored.confidence())], new long[]{1, right[r]});
            }
            for (int r = 1; r < rules.size(); r++) {
                if (right[r] != right[0]) {
                    counts.put(ruleSignals[r] + ":split@" + span, new long[]{1, right[r]});
                }
            }
        }
        if (!groups.isEmpty()) {
            learned.learn(votes, groups, truth, book);
        }
        book.add(circle, counts);
    }

    /** The panel's model of its experts fitted to agreement alone, over every ballot it decided, judged or not. */
    private UnsupervisedStrategy agreement(String circle) {
        return agreement.computeIfAbsent(circle, c -> new UnsupervisedStrategy(AGREEMENT_WINDOW));
    }

    /** {@return the span of the panel's reports a report falls in: reports 2^k to 2^(k+1) - 1 make span k} */
    private static int span(long reports) {
        return 63 - Long.numberOfLeadingZeros(Math.max(1, reports));
    }

    private static int bin(double confidence) {
        return Math.clamp((int) (confidence * 10), 0, 9);
    }

    private Choice choose(String circle, Reliability reliability) {
        long judged = reliability.of(circle, ruleSignals[0]).answered();
        // before any question is judged, the agreement rule decides once it has seen enough ballots: -1 marks that
        boolean agreed = judged == 0 && agreement(circle).answered() >= AGREEMENT_FROM;
        long state = agreed ? -1 : judged;
        Choice cached = choices.get(circle);
        if (cached != null && cached.judged() == state) {
            return cached;
        }
        Choice choice;
        if (agreed) {
            choice = new Choice(rules.indexOf(agreementRule), "rule " + agreementRule.name()
                    + ": no question of this panel judged yet, so the experts' chances are fitted to how often they"
                    + " agree, over the " + AGREEMENT_FROM + " or more ballots it decided (the first " + WARMUP
                    + " reports only teach the experts' records)", state);
        } else if (judged == 0) {
            choice = new Choice(0, "rule " + rules.getFirst().name() + ": no question of this panel judged yet (the"
                    + " first " + WARMUP
                    + " reports only teach the experts' records; with none, it is a majority vote)",
                    0);
        } else {
            int last = span(reliability.of(circle, REPORTS).answered());
            long recent = 0;
            long[] won = new long[rules.size()]; // of the recent questions where rule r and the learned rule split
            long[] split = new long[rules.size()];
            for (int span = Math.max(0, last - 1); span <= last; span++) {
                recent += reliability.of(circle, ruleSignals[0] + "@" + span).answered();
                for (int r = 1; r < rules.size(); r++) {
                    Reliability.Record record = reliability.of(circle, ruleSignals[r] + ":split@" + span);
                    won[r] += record.correct();
                    split[r] += record.answered();
                }
            }
            int baselines = (int) IntStream.range(1, rules.size()).filter(this::safe).count();
            double safeLevel = ALPHA / 2 / baselines; // the p-value at which a rule is taken over the learned rule
            double riskyLevel = ALPHA / 2 / (rules.size() - 1 - baselines);
            int best = 0;
            double bestRatio = Double.POSITIVE_INFINITY;
            StringBuilder others = new StringBuilder();
            for (int r = 1; r < rules.size(); r++) {
                long lead = 2 * won[r] - split[r]; // right where the learned rule is wrong, less the reverse
                double p = beyondChance(won[r], split[r]);
                double ratio = p / (safe(r) ? safeLevel : riskyLevel);
                if (ratio <= 1 && (ratio < bestRatio || ratio == bestRatio && safe(r) && !safe(best))) {
                    best = r;
                    bestRatio = ratio;
                }
                others.append(others.isEmpty() ? "" : ", ").append(rules.get(r).name()).append(' ').append(
                        lead >= 0 ? "+" : "").append(lead).append(" of ").append(split[r]).append(" (p ").append(
                                p(p))
                        .append(')');
            }
            String test = " on the last " + recent + " reported questions, each decided before its truth was learned"
                    + " (one-sided sign test on the questions where they split, at most " + ALPHA
                    + " over all rules: p at most " + p(safeLevel) + " for majority or best-member, " + p(riskyLevel)
                    + " for another rule; lead where they split: " + others + ")";
            String why = best == 0
                    ? "rule " + LearnedRule.NAME + ": no other rule beats it beyond chance" + test
                    : "rule " + rules.get(best).name() + ": beats the " + LearnedRule.NAME + " rule beyond chance"
                            + test;
            choice = new Choice(best, why, judged);
        }
        choices.put(circle, choice);
        return choice;
    }

    /** {@return whether a rule is one of the safe baselines: majority, or the best member alone} */
    private boolean safe(int rule) {
        return rules.get(rule) == Rule.MAJORITY || rules.get(rule) == Rule.BEST_MEMBER;
    }

    /**
     * {@return the chance of winning at least {@code won} of {@code split} questions where each side is as likely: the
     *         exact one-sided sign test}
     */
    static double beyondChance(long won, long split) {
        if (won <= 0) {
            return 1;
        }
        if (won > split) {
            return 0;
        }
        double logHalf = split * Math.log(0.5);
        double logTerm = logHalf; // log of C(split, k) / 2^split, from k = 0 up
        for (long k = 0; k < won; k++) {
            logTerm += Math.log((double) (split - k) / (k + 1));
        }
        double sum = 0;
        for (long k = won; k <= split; k++) {
            sum += Math.exp(logTerm);
            logTerm += Math.log((double) (split - k) / (k + 1));
        }
        return Math.min(1, sum);
    }

    private static String p(double p) {
        return String.format(Locale.ROOT, "%.2g", p);
    }

    /** The pseudo-expert under which the record of the panel these votes come from is kept. */
    private String circle(List<Vote> votes) {
        StringBuilder ids = new StringBuilder(votes.size() * 24);
        for (Vote v : votes) {
            ids.append(v.expert()).append('\n');
        }
        return circles.computeIfAbsent(ids.toString(), ReliabilityStrategy::hash);
    }

    /** {@return the pseudo-expert of the panel whose member ids, each followed by a newline, are {@code ids}} */
    static String hash(String ids) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(ids.getBytes(StandardCharsets.UTF_8));
            return "circle:" + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
