package org.codeengine.core.internal.experts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;

/**
 * The default: of several rules ({@link LogOddsRule} with and without its discount for experts that repeat each
 * other's mistakes, {@link ScatterRule}, plain majority, the best member alone, and the {@link LearnedRule} scorer over
 * answer and reply features), uses the one with the best record on this panel's reported questions, and says so in the
 * verdict's rationale.
 *
 * <p>The record is kept honestly: when a host reports the truth of a question ({@link #judge}), every rule decides
 * that question first with the experts' records (and the learned rule's weights) as they stood before it, and only
 * then are they updated, so each rule is scored on questions it had not learned from (prequential, or
 * leave-future-out, cross-validation). The first {@value #WARMUP} reports of a panel only teach the records.
 *
 * <p>A rule that cannot beat the better of majority and the best member is therefore not used: those two are among
 * the candidates, and ties go to the rule listed first (the learned rule is listed last: it is used only where its
 * record is strictly the best). A stricter choice, leaving the better baseline only for a rule that leads it by more
 * than one standard error on the questions they split, was measured and dropped: which of majority and the best
 * member is better is itself within the noise of a few hundred reports, and it fell below both more often.
 *
 * <p>The confidence is calibrated on the same record: per rule, the reported questions are binned by the rule's raw
 * confidence in tenths, and the confidence given is the share right in that bin, shrunk toward the raw value.
 *
 * <p>The panel's records are kept under the pseudo-expert {@code circle:<hash of the member ids>} in the reliability
 * book, so they survive a restart as the experts' own records do.
 */
public final class ReliabilityStrategy implements ConsensusStrategy {
    static final int WARMUP = 30;
    private static final double CALIBRATION_STRENGTH = 5;
    private static final String REPORTS = "reports";
    private final Map<String, String> circles = new ConcurrentHashMap<>();
    private final LearnedRule learned = new LearnedRule(this::circle);
    private final List<Rule> rules = List.of(new LogOddsRule(true), new ScatterRule(), new LogOddsRule(false),
            Rule.MAJORITY, Rule.BEST_MEMBER, learned);
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
        if (book.of(circle, REPORTS).answered() >= WARMUP && !groups.isEmpty()) {
            List<String> answers = List.copyOf(groups.keySet());
            long[] right = new long[rules.size()];
            for (int r = 0; r < rules.size(); r++) {
                Rule.Scored scored = rules.get(r).score(votes, groups, book);
                right[r] = truth.equals(answers.get(Ballots.best(votes, groups, scored.scores()))) ? 1 : 0;
                counts.put(ruleSignals[r], new long[]{1, right[r]});
                counts.put(binSignals[r][bin(scored.confidence())], new long[]{1, right[r]});
            }
        }
        if (!groups.isEmpty()) {
            learned.learn(votes, groups, truth, book, counts);
        }
        book.add(circle, counts);
    }

    private static int bin(double confidence) {
        return Math.clamp((int) (confidence * 10), 0, 9);
    }

    private Choice choose(String circle, Reliability reliability) {
        long judged = reliability.of(circle, ruleSignals[0]).answered();
        Choice cached = choices.get(circle);
        if (cached != null && cached.judged() == judged) {
            return cached;
        }
        Choice choice;
        if (judged == 0) {
            choice = new Choice(0, "rule " + rules.getFirst().name() + ": no question of this panel judged yet (the"
                    + " first " + WARMUP
                    + " reports only teach the experts' records; with none, it is a majority vote)",
                    0);
        } else {
            int best = 0;
            long[] right = new long[rules.size()];
            for (int r = 0; r < rules.size(); r++) {
                right[r] = reliability.of(circle, ruleSignals[r]).correct();
                if (right[r] > right[best]) {
                    best = r;
                }
            }
            StringBuilder why = new StringBuilder("rule ").append(rules.get(best).name()).append(": right on ")
                    .append(right[best]).append(" of ").append(judged).append(
                            " reported questions, each decided before its truth was learned (");
            for (int r = 0; r < rules.size(); r++) {
                if (r != best) {
                    why.append(why.charAt(why.length() - 1) == '(' ? "" : ", ").append(rules.get(r).name()).append(
                            ' ').append(right[r]);
                }
            }
            choice = new Choice(best, why.append(')').toString(), judged);
        }
        choices.put(circle, choice);
        return choice;
    }

    /** The pseudo-expert under which the record of the panel these votes come from is kept. */
    private String circle(List<Vote> votes) {
        StringBuilder ids = new StringBuilder(votes.size() * 24);
        for (Vote v : votes) {
            ids.append(v.expert()).append('\n');
        }
        return circles.computeIfAbsent(ids.toString(), ReliabilityStrategy::hash);
    }

    private static String hash(String ids) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(ids.getBytes(StandardCharsets.UTF_8));
            return "circle:" + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
