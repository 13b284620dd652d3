package org.codeengine.benchmarks.experts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.codeengine.api.experts.ConsensusStrategy;
import org.codeengine.api.experts.Extraction;
import org.codeengine.api.experts.Reliability;
import org.codeengine.api.experts.Verdict;
import org.codeengine.api.experts.Vote;
import org.codeengine.core.internal.experts.Answers;
import org.codeengine.core.internal.experts.Ballots;
import org.codeengine.core.internal.experts.MajorityStrategy;
import org.codeengine.core.internal.experts.MedoidStrategy;
import org.codeengine.core.internal.experts.ReliabilityStrategy;
import org.codeengine.core.internal.vector.JavaKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The consensus step of the circle of experts with no network: for N replies of about 400 tokens (1,600 to 2,000
 * characters), extract each reply's answer with the panel's extraction, build the votes and let the strategy decide,
 * as {@code DefaultExpertCircle} does once the replies are in. Each invocation takes the next of 8 generated questions,
 * so no branch history or cache line is reused from one decision to the next more than it would be in use.
 *
 * <ul>
 * <li>{@code medoid}: free-text replies, in 2 (for 5 replies) or 5 (for 64) groups of paraphrases of different
 * answers; {@link Extraction.Text} extraction, then {@link MedoidStrategy} as the engine configures it (threshold 0.8,
 * {@link JavaKernels}): embed each answer, all pairwise cosine similarities, link, pick the heaviest cluster's medoid.
 * The setup checks that the strategy finds exactly the generated groups.
 * <li>{@code reliability}, {@code learned}, {@code majority}: GSM8K-like replies (JSON with worked reasoning and an {@code answer}
 * field, or GSM8K's {@code #### answer} line), {@link Extraction#auto()} extraction, then the default strategy with a
 * record for every expert, signal and pair of experts and a panel record that makes it use its {@code scatter} rule
 * ({@code reliability}) or its {@code learned} rule (which also reads each reply's form: answer field, cut-off, the
 * reasoning's last number, hedging, length, which of the word problem's five numbers its working writes) with calibrated confidence, or plain majority: the cheap path for answers that compare exactly. The default's cost
 * above majority's is its rule: a record look-up per voter and per pair of voters of an answer, and for the learned
 * rule a read of each reply's form (a few single-character searches) and a search per other leading answer.
 * </ul>
 *
 * Median (p0.50 of the sampled times) per decision, one thread: the figure is per core.
 *
 * <p>Target (circle-of-experts issue): over 5 replies, extraction + embeddings + similarity + decision in at most
 * 20 µs median on one core; over 64 replies, at most 1 ms.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class ConsensusBenchmark {
    static final int QUESTIONS = 8;

    @Param({"5", "64"})
    int replies;

    @Param({"medoid", "reliability", "learned", "majority"})
    String strategy;

    List<List<String>> questions;
    /** The word problem each of {@link #questions} answers (empty for free text). */
    List<String> asked;
    String[] experts;
    Function<String, String> extract;
    ConsensusStrategy decider;
    Reliability reliability;
    int next;

    @Setup
    public void setUp() {
        Random random = new Random(20_25);
        experts = new String[replies];
        for (int i = 0; i < replies; i++) {
            experts[i] = "bench/model-" + i;
        }
        reliability = records(random, experts, strategy.equals("learned") ? "learned" : "scatter");
        boolean freeText = strategy.equals("medoid");
        int clusters = replies <= 8 ? 2 : 5;
        extract = Answers.compile(freeText ? new Extraction.Text() : Extraction.auto());
        decider = switch (strategy) {
            case "medoid" -> new MedoidStrategy(new JavaKernels(), 0.8f);
            case "reliability", "learned" -> new ReliabilityStrategy();
            case "majority" -> new MajorityStrategy();
            default -> throw new IllegalArgumentException("strategy must be medoid, reliability, learned or majority");
        };
        questions = new ArrayList<>(QUESTIONS);
        asked = new ArrayList<>(QUESTIONS);
        Random problems = new Random(20_26); // apart, so that the replies are those the benchmark always had
        for (int q = 0; q < QUESTIONS; q++) {
            Replies.Batch batch = freeText
                    ? Replies.freeText(random, replies, clusters)
                    : Replies.gsm8k(random, replies);
            questions.add(batch.texts());
            asked.add(freeText ? "" : Replies.question(problems));
            Verdict verdict = decide(asked.getLast(), batch.texts());
            if (freeText && verdict.clusters().size() != clusters) {
                throw new IllegalStateException("medoid found " + verdict.clusters().size() + " clusters, not the "
                        + clusters + " generated: " + verdict.clusters().stream().map(c -> c.experts().size())
                                .toList());
            }
            String expected = strategy.equals("learned") ? "rule learned:" : "rule scatter:";
            if (decider instanceof ReliabilityStrategy && !verdict.rationale().startsWith(expected)) {
                throw new IllegalStateException("the default strategy did not use the rule this benchmark measures ("
                        + expected + "): " + verdict.rationale());
            }
            if (!freeText) {
                String right = extract.apply(batch.texts().get(batch.groups().indexOf(0)));
                if (verdict.answer() == null || (decider instanceof MajorityStrategy && !verdict.answer().equals(
                        right))) {
                    throw new IllegalStateException("the GSM8K-like replies were decided " + verdict.answer()
                            + ", not " + right + ": " + batch.texts().stream().map(extract).toList());
                }
            }
        }
    }

    @Benchmark
    public Verdict decide() {
        List<String> texts = questions.get(next);
        String question = asked.get(next);
        next = (next + 1) % QUESTIONS;
        return decide(question, texts);
    }

    Verdict decide(String question, List<String> texts) {
        List<Vote> votes = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            votes.add(new Vote(experts[i], "bench", extract.apply(text), text, 1));
        }
        return decider.decide(question, votes, reliability);
    }

    /**
     * A record for every expert under every signal (and for every pair of experts: how often one repeated the other's
     * mistakes), as a busy panel's reliability book holds; and a panel record under which the default strategy has
     * judged 370 questions, so that it decides with {@code rule} and calibrates its confidence, with weights for every
     * feature of the learned rule. On the recent questions where a rule and the learned rule split, {@code rule} won
     * them all and every other rule half: the default leaves the learned rule only for a rule that beats it beyond
     * chance, and the setup checks that the rule measured is the one used.
     */
    static Reliability records(Random random, String[] experts, String rule) {
        Map<String, Reliability.Record> records = new ConcurrentHashMap<>();
        List<String> signals = new ArrayList<>(List.of(Ballots.ALL, "support:alone", "support:some", "support:most",
                "support:all", "shape:integer", "shape:decimal", "shape:fraction", "shape:letter", "shape:text",
                "pair:*"));
        for (String expert : experts) {
            signals.add("pair:" + expert);
        }
        for (String expert : experts) {
            for (String signal : signals) {
                long answered = 50 + random.nextInt(500);
                double share = signal.startsWith("pair:") ? random.nextDouble() * 0.3 : 0.4 + random.nextDouble() * 0.5;
                records.put(expert + '\u0000' + signal, new Reliability.Record(answered, (long) (answered * share)));
            }
        }
        return (expert, signal) -> expert.startsWith("circle:")
                ? signal.startsWith("learned:")
                        ? new Reliability.Record((signal.hashCode() % 1000) * 100_000L, 1_000_000_000L)
                        : signal.startsWith("rule:") && signal.contains(":split@")
                                ? new Reliability.Record(40, signal.startsWith("rule:" + rule + ":") ? 40 : 20)
                                : new Reliability.Record(370, signal.equals("rule:" + rule)
                                        ? 350
                                        : signal.startsWith("rule:")
                                                ? 340
                                                : 180)
                : records.getOrDefault(expert + '\u0000' + signal, Reliability.Record.NONE);
    }
}
