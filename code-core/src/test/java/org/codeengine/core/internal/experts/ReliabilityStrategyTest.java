package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;
import org.junit.jupiter.api.Test;

class ReliabilityStrategyTest {
    /** A ledger in memory. */
    static final class Memory implements Ledger {
        final Map<String, Reliability.Record> records = new ConcurrentHashMap<>();

        @Override
        public Reliability.Record of(String expert, String signal) {
            return records.getOrDefault(expert + '\u0000' + signal, Reliability.Record.NONE);
        }

        @Override
        public void add(String expert, Map<String, long[]> counts) {
            counts.forEach((signal, c) -> records.merge(expert + '\u0000' + signal, new Reliability.Record(c[0], c[1]),
                    (a, b) -> new Reliability.Record(a.answered() + b.answered(), a.correct() + b.correct())));
        }

        @Override
        public boolean replace(String expert, String prefix, Map<String, Long> values) {
            values.forEach((signal, value) -> records.put(expert + '\u0000' + signal, new Reliability.Record(value,
                    0)));
            records.merge(expert + '\u0000' + prefix + "version", new Reliability.Record(1, 0),
                    (a, b) -> new Reliability.Record(a.answered() + 1, 0));
            return true;
        }

        Memory right(String expert, long answered, long correct) {
            add(expert, Map.of(Ballots.ALL, new long[]{answered, correct}));
            return this;
        }

        Memory repeats(String expert, String other, long mistakes, long repeated) {
            add(expert, Map.of(Ballots.pair(other), new long[]{mistakes, repeated}));
            return this;
        }
    }

    private static List<Vote> ballot(String... expertAnswer) {
        List<Vote> votes = new ArrayList<>();
        for (int i = 0; i < expertAnswer.length; i += 2) {
            votes.add(new Vote(expertAnswer[i], "test", expertAnswer[i + 1], "", 1));
        }
        return votes;
    }

    private static String decide(Rule rule, List<Vote> votes, Reliability reliability) {
        var groups = Ballots.byAnswer(votes);
        return List.copyOf(groups.keySet()).get(Ballots.best(votes, groups, rule.score(votes, groups, reliability)
                .scores()));
    }

    @Test
    void logOdds_weighsEveryExpertAlike_onceEachIsRightHalfTheTimeOrLess_theCauseOfIssue20() {
        Memory book = new Memory().right("strong", 1000, 450).right("weak1", 1000, 100).right("weak2", 1000, 100)
                .repeats("weak1", "weak2", 900, 270);
        List<Vote> votes = ballot("strong", "7", "weak1", "3", "weak2", "3");

        assertThat(Ballots.voteWeight(0.45)).as("clamped").isEqualTo(Ballots.voteWeight(0.10));
        assertThat(decide(new LogOddsRule(false), votes, book)).as("a plain vote").isEqualTo("3");
        assertThat(decide(new ScatterRule(), votes, book)).as("the expert right 45%% of the time, against two right"
                + " 10%% of the time that repeat each other's mistakes").isEqualTo("7");
    }

    @Test
    void scatter_takesAnExpertRightAThirdOfTheTime_asEvidence_whenItsMistakesScatter() {
        Memory book = new Memory().right("a", 1000, 300).right("b", 1000, 300).right("c", 1000, 300).right("d", 1000,
                300).repeats("a", "b", 700, 7).repeats("c", "d", 700, 7);
        List<Vote> votes = ballot("a", "12", "b", "12", "c", "5", "d", "9");

        assertThat(decide(new ScatterRule(), votes, book)).isEqualTo("12");
        var groups = Ballots.byAnswer(votes);
        double[] scores = new ScatterRule().score(votes, groups, book).scores();
        double p = ScatterRule.chance(book, "b", Ballots.shape("12"));
        double q = ScatterRule.collision(book, "a", "b");
        assertThat(q).as("b repeats 1%% of a's mistakes").isLessThan(0.02);
        assertThat(scores[0]).as("two who agree beat one alone by log(p / q): about log(0.3 / 0.01)").isCloseTo(
                scores[1] + Math.log(p / q), within(1e-9));
    }

    @Test
    void scatter_readsEachVotersRecordsOnce_andScoresExactlyAsThePairwiseFormula() {
        Random random = new Random(3);
        Memory book = new Memory();
        List<String> experts = List.of("a", "b", "c", "d", "e", "f", "g");
        for (String e : experts) {
            book.right(e, 100 + random.nextInt(900), random.nextInt(100));
            book.add(e,
                    Map.of(Ballots.PAIR_ANY, new long[]{50 + random.nextInt(100), random.nextInt(50)}, "shape:integer",
                            new long[]{40, random.nextInt(40)}));
            for (String other : experts) {
                book.repeats(e, other, 30 + random.nextInt(300), random.nextInt(30));
            }
        }
        for (int ballot = 0; ballot < 200; ballot++) {
            List<Vote> votes = new ArrayList<>();
            for (String e : experts) {
                votes.add(new Vote(e, "test", Integer.toString(random.nextInt(3)), "", 0.5 + random.nextInt(3)));
            }
            var groups = Ballots.byAnswer(votes);
            double[] expected = new double[groups.size()];
            int i = 0;
            for (var group : groups.entrySet()) { // the formula of ScatterRule's javadoc, each record read where used
                List<Integer> voters = group.getValue();
                for (int n = 0; n < voters.size(); n++) {
                    Vote vote = votes.get(voters.get(n));
                    double p = ScatterRule.chance(book, vote.expert(), Ballots.shape(group.getKey()));
                    double q = 0;
                    for (int k = 0; k < n; k++) {
                        q = Math.max(q, ScatterRule.collision(book, votes.get(voters.get(k)).expert(), vote.expert()));
                    }
                    expected[i] += vote.weight() * (Math.log(p) - (n == 0 ? Math.log1p(-p) : Math.log(q)));
                }
                i++;
            }

            assertThat(new ScatterRule().score(votes, groups, book).scores()).containsExactly(expected);
        }
    }

    @Test
    void scatter_countsCopiesThatRepeatEachOthersMistakes_asOneWitness() {
        Memory book = new Memory();
        for (String e : List.of("a", "a2", "a3", "b", "c")) {
            book.right(e, 1000, 700);
        }
        book.repeats("a", "a2", 300, 290).repeats("a", "a3", 300, 290).repeats("a2", "a3", 300, 290).repeats("b", "c",
                300, 10);
        List<Vote> votes = ballot("a", "3", "a2", "3", "a3", "3", "b", "7", "c", "7");

        assertThat(decide(Rule.MAJORITY, votes, book)).isEqualTo("3");
        assertThat(decide(new ScatterRule(), votes, book)).isEqualTo("7");
    }

    @Test
    void theDefault_learnsOnReportedTruth_whichRuleToUse_andSaysWhichAndWhy() {
        // a is right 90% of the time; b and c are one model asked twice, right 60% of the time: majority follows b and c
        Random random = new Random(7);
        Memory book = new Memory();
        ReliabilityStrategy strategy = new ReliabilityStrategy();
        int right = 0;
        int majorityRight = 0;
        Verdict last = null;
        for (int q = 0; q < 600; q++) {
            String truth = Integer.toString(q);
            String a = random.nextDouble() < 0.9 ? truth : "a" + random.nextInt(20);
            String bc = random.nextDouble() < 0.6 ? truth : "b" + random.nextInt(20);
            List<Vote> votes = ballot("a", a, "b", bc, "c", bc);
            if (q < 300) {
                strategy.judge(votes, truth, book);
                for (int i = 0; i < votes.size(); i++) {
                    book.add(votes.get(i).expert(), Ballots.outcomes(votes, i, truth));
                }
            } else {
                last = strategy.decide(votes, book);
                right += truth.equals(last.answer()) ? 1 : 0;
                majorityRight += truth.equals(decide(Rule.MAJORITY, votes, book)) ? 1 : 0;
            }
        }

        assertThat(majorityRight).isLessThan(200);
        assertThat(right).as("about a's 90%%").isGreaterThan(255);
        assertThat(last.rationale())
                .matches(
                        "rule (learned: no other rule beats it|(scatter|discounted-log-odds|log-odds|best-member|majority"
                                + "|agreement): beats the learned rule) beyond chance on the last \\d+ reported"
                                + " questions, each decided before its truth was learned \\(one-sided sign test on the"
                                + " questions where they split, .*majority [+-]?\\d+ of \\d+ \\(p [0-9.e-]+\\).*\\)");
        assertThat(last.confidence()).isBetween(0.0, 1.0);
    }

    /** A JSON reply whose reasoning ends with {@code worked} and whose answer field is {@code answer}. */
    private static Vote reply(String expert, String answer, String worked) {
        return new Vote(expert, "test", answer, "{\"reasoning\": \"so it is " + worked + ".\", \"answer\": \""
                + answer + "\"}", 1);
    }

    @Test
    void learned_readsTheReplies_whereTheVotePatternSaysNothing_andIsUsedOnlyOnceItsRecordIsTheBest() {
        // three experts alike, right 55% of the time, mistakes scattered: who voted what cannot tell a 1-1-1 split apart;
        // a wrong reply's reasoning mostly ends on another number than its answer, a right one's on its answer
        Random random = new Random(11);
        Memory book = new Memory();
        ReliabilityStrategy strategy = new ReliabilityStrategy();
        int learnedRight = 0;
        int scatterRight = 0;
        List<List<Vote>> test = new ArrayList<>();
        for (int q = 0; q < 800; q++) {
            String truth = Integer.toString(q);
            List<Vote> votes = new ArrayList<>();
            for (String e : List.of("a", "b", "c")) {
                boolean right = random.nextDouble() < 0.55;
                String answer = right ? truth : Integer.toString(1000 + random.nextInt(1000));
                boolean honest = random.nextDouble() < (right ? 0.95 : 0.3);
                votes.add(reply(e, answer, honest ? answer : Integer.toString(5000 + random.nextInt(100))));
            }
            if (q < 400) {
                strategy.judge(votes, truth, book);
                for (int i = 0; i < votes.size(); i++) {
                    book.add(votes.get(i).expert(), Ballots.outcomes(votes, i, truth));
                }
            } else {
                Verdict v = strategy.decide(votes, book);
                assertThat(v.rationale()).startsWith("rule learned: no other rule beats it beyond chance");
                learnedRight += truth.equals(v.answer()) ? 1 : 0;
                scatterRight += truth.equals(decide(new ScatterRule(), votes, book)) ? 1 : 0;
                test.add(votes);
            }
        }

        assertThat(learnedRight).as("learned against scatter, of 400").isGreaterThan(scatterRight + 20);
        ReliabilityStrategy restarted = new ReliabilityStrategy();
        for (List<Vote> votes : test) {
            assertThat(restarted.decide(votes, book).answer()).as("the weights are in the book")
                    .isEqualTo(strategy.decide(votes, book).answer());
        }
    }

    /**
     * {@return the right share of the learned rule's choices on 400 one-one-one splits of experts alike, after 400
     *         reported ones, where only the replies' working tells the answers apart: {@code working} writes a reply's
     *         reasoning, all of one length, from its role (0 right, 1 and 2 wrong) and the ballot's three answers}
     */
    private static double learnedOnOneOneOneSplits(long seed, WorkingOf working) {
        Random random = new Random(seed);
        Memory book = new Memory();
        ReliabilityStrategy strategy = new ReliabilityStrategy();
        int right = 0;
        for (int q = 0; q < 800; q++) {
            String[] answers = {Integer.toString(10_000 + q), Integer.toString(20_000 + q), Integer.toString(30_000
                    + q)};
            List<Integer> roles = new ArrayList<>(List.of(0, 1, 2));
            java.util.Collections.shuffle(roles, random);
            List<Vote> votes = new ArrayList<>();
            for (int e = 0; e < 3; e++) {
                int role = roles.get(e);
                String reasoning = working.of(role, answers);
                assertThat(reasoning).as("every reply as long as every other").hasSize(working.of(0, answers).length());
                votes.add(new Vote("abc".substring(e, e + 1), "test", answers[role], "{\"reasoning\": \"" + reasoning
                        + " so it is " + answers[role] + ".\", \"answer\": \"" + answers[role] + "\"}", 1));
            }
            if (q < 400) {
                strategy.judge(votes, answers[0], book);
                for (int i = 0; i < votes.size(); i++) {
                    book.add(votes.get(i).expert(), Ballots.outcomes(votes, i, answers[0]));
                }
            } else {
                right += answers[0].equals(strategy.decide(votes, book).answer()) ? 1 : 0;
            }
        }
        return right / 400.0;
    }

    /** The reasoning of a reply in {@link #learnedOnOneOneOneSplits}. */
    @FunctionalInterface
    private interface WorkingOf {
        String of(int role, String[] answers);
    }

    @Test
    void learned_tellsAnIntermediateStepThatEveryOtherReplyWentPast_fromOneThatOnlySomeWrite() {
        // the right reply passes the first wrong answer on its way; a second wrong reply passes both; the first wrong
        // reply stopped there. Mentioned by others: right 1, stopped 2, overshot 0; mentions of others: 1, 0, 2; so no
        // weighing of the counts picks the right one, only that every other reply went past the one that stopped
        double right = learnedOnOneOneOneSplits(5, (role, a) -> switch (role) {
            case 0 -> "we pass " + a[1] + " and go on     ";
            case 1 -> "we stop here, go no further ";
            default -> "we pass " + a[1] + " and then " + a[0];
        });

        assertThat(right).as("right share of 400 splits").isGreaterThan(0.9);
    }

    @Test
    void learned_prefersTheReplyThatWritesOutItsSteps_overThoseThatSkipThem() {
        // all three of one length and with the same numbers; the right one writes each step as a statement
        double right = learnedOnOneOneOneSplits(6, (role, a) -> role == 0
                ? "2 + 3 = 5, 5 * 2 = 10, 10 - 1 = 9"
                : "2 + 3 ~ 5, 5 * 2 ~ 10, 10 - 1 = 9");

        assertThat(right).as("right share of 400 splits").isGreaterThan(0.9);
    }

    @Test
    void signTest_isExact() {
        assertThat(ReliabilityStrategy.beyondChance(5, 5)).isCloseTo(1 / 32.0, within(1e-12));
        assertThat(ReliabilityStrategy.beyondChance(7, 10)).isCloseTo(176 / 1024.0, within(1e-12));
        assertThat(ReliabilityStrategy.beyondChance(0, 4)).isEqualTo(1);
        assertThat(ReliabilityStrategy.beyondChance(3, 2)).isEqualTo(0);
        assertThat(ReliabilityStrategy.beyondChance(600, 1000)).isCloseTo(1.36e-10, within(0.01e-10));
    }

    /** A book where the panel a, b, c has 400 reports, and each named rule won and split as given against the learned. */
    private static Memory record(Object... ruleWonSplit) {
        String circle = ReliabilityStrategy.hash("a\nb\nc\n");
        Memory book = new Memory();
        book.add(circle, Map.of("reports", new long[]{400, 0}, "rule:learned", new long[]{370, 340}, "rule:learned@7",
                new long[]{128, 118}, "rule:learned@8", new long[]{144, 132}));
        for (int i = 0; i < ruleWonSplit.length; i += 3) {
            book.add(circle, Map.of("rule:" + ruleWonSplit[i] + ":split@8", new long[]{(int) ruleWonSplit[i + 2],
                    (int) ruleWonSplit[i + 1]}));
        }
        return book;
    }

    @Test
    void theDefault_keepsTheLearnedRule_whereAnotherWonAllOfFiveSplitQuestions_theFallBelowMajorityOfIssue20() {
        Verdict v = new ReliabilityStrategy().decide(ballot("a", "1", "b", "2", "c", "2"), record("agreement", 5, 5,
                "majority", 6, 6));

        assertThat(v.rationale()).startsWith("rule learned: no other rule beats it beyond chance on the last 272")
                .contains("majority +6 of 6 (p 0.016)", "agreement +5 of 5 (p 0.031)");
    }

    @Test
    void theDefault_leavesTheLearnedRule_forABaselineOnLessEvidence_thanForAnotherRule() {
        ReliabilityStrategy strategy = new ReliabilityStrategy();
        List<Vote> votes = ballot("a", "1", "b", "2", "c", "2");

        assertThat(strategy.decide(votes, record("majority", 7, 7, "agreement", 7, 7)).rationale()).startsWith(
                "rule majority: beats the learned rule beyond chance");
        assertThat(new ReliabilityStrategy().decide(votes, record("majority", 7, 7, "agreement", 9, 9)).rationale())
                .as("the stronger evidence against its share").startsWith(
                        "rule agreement: beats the learned rule beyond chance");
        assertThat(new ReliabilityStrategy().decide(votes, record("scatter", 8, 8)).rationale()).startsWith(
                "rule scatter: beats the learned rule beyond chance");
    }

    @Test
    void theDefault_withNoRecord_isAMajorityVote_andSaysSo() {
        Verdict v = new ReliabilityStrategy().decide(ballot("a", "1", "b", "2", "c", "2"), new Memory());

        assertThat(v.answer()).isEqualTo("2");
        assertThat(v.rationale()).startsWith("rule learned: no question of this panel judged yet");
    }

    /**
     * A host that never reports the truth still gets more than a majority vote once the panel has decided enough
     * ballots: the agreement rule's chances, fitted to how often the experts agree. One expert right 45 % of the time,
     * two right 20 %, mistakes scattered: where all three differ, a majority vote has nothing to go on (it takes the
     * first answer), the agreement rule takes the stronger expert's.
     */
    @Test
    void withNoQuestionJudged_theAgreementRuleDecides_onceItHasSeenEnoughBallots() {
        ReliabilityStrategy strategy = new ReliabilityStrategy();
        Memory none = new Memory();
        List<Vote> allDiffer = ballot("weak-1", "11", "weak-2", "12", "strong", "13");
        Random random = new Random(3);
        for (int n = 0; n < ReliabilityStrategy.AGREEMENT_FROM - 2; n++) { // with the next, one short
            strategy.decide(hardBallot(random), none);
        }
        Verdict early = strategy.decide(allDiffer, none);
        assertThat(early.rationale()).startsWith("rule learned: no question of this panel judged yet");
        assertThat(early.answer()).as("a majority vote takes the first of three").isEqualTo("11");
        for (int n = 0; n < 400; n++) {
            strategy.decide(hardBallot(random), none);
        }

        Verdict v = strategy.decide(allDiffer, none);

        assertThat(v.rationale()).startsWith("rule agreement: no question of this panel judged yet");
        assertThat(v.answer()).isEqualTo("13");
    }

    /** A ballot of one expert right 45 % of the time and two right 20 %, their mistakes scattered; the truth is 7. */
    private static List<Vote> hardBallot(Random random) {
        String[] experts = {"weak-1", "weak-2", "strong"};
        double[] skill = {0.2, 0.2, 0.45};
        List<Vote> votes = new ArrayList<>();
        for (int e = 0; e < experts.length; e++) {
            String answer = random.nextDouble() < skill[e] ? "7" : String.valueOf(100 + random.nextInt(10_000));
            votes.add(new Vote(experts[e], "test", answer, "", 1));
        }
        return votes;
    }
}
