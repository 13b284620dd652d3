package org.codeengine.benchmarks.experts;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.experts.ConsensusResult;
import org.codeengine.api.experts.ExpertAnswer;
import org.codeengine.api.experts.ExpertCircle;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Extraction;
import org.codeengine.api.experts.Query;
import org.codeengine.api.experts.Quorum;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.Extractions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Scores the circle of experts on recorded model replies: every question is asked through a real engine whose experts
 * are the {@code replay} provider answering with the recorded replies. A fixed seed splits the questions; the default
 * strategy learns from the truth reported on the training split; every figure is accuracy in percent on the rest.
 *
 * <pre>
 * java -cp code-benchmarks/target/benchmarks.jar org.codeengine.benchmarks.experts.ConsensusEval DATA.jsonl.gz COMMITTEES.json [SEED] [--hard SHARED] [--no-reports]
 * </pre>
 *
 * {@code --hard SHARED} scores a harder copy of the data ({@link HardenedData}); {@code --no-reports} asks the default
 * strategy the training questions without reporting their truth, as a host that never reports.
 *
 * One JSON object per committee: committee, n_train, n_test, seed, best_single (and best_member), majority, default,
 * unsupervised, oracle, gap_recovered (the share of the best member to oracle gap the default strategy closed), ece
 * (the default strategy's expected calibration error in points: test questions in ten bins of confidence, the
 * weighted mean gap between each bin's accuracy and its mean confidence) and rule (the rule the default strategy used
 * on the last test question, from its rationale).
 *
 * <p>A committee member written {@code model#twin} is a second expert answering with {@code model}'s replies: a
 * perfectly correlated duplicate, the extreme case of two models that make the same mistakes.
 */
public final class ConsensusEval {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final CallContext CTX = new CallContext(new Principal("consensus-eval", Principal.Kind.SYSTEM, Set
            .of()), null, "consensus-eval");

    /** One recorded question. */
    public record Row(String question, String gold, Set<String> models) {}

    /** The figures of one committee. */
    public record Score(String committee, int train, int test, long seed, double bestSingle, String bestMember,
            double majority, double defaultStrategy, double unsupervised, double oracle, double ece, String rule,
            String why) {
        /** {@return the share of the gap between the best member and the oracle that the default strategy closed} */
        public double gapRecovered() {
            return oracle - bestSingle <= 0 ? 0 : (defaultStrategy - bestSingle) / (oracle - bestSingle);
        }

        ObjectNode json() {
            ObjectNode o = JSON.createObjectNode();
            o.put("committee", committee);
            o.put("n_train", train);
            o.put("n_test", test);
            o.put("seed", seed);
            o.put("best_single", round(bestSingle));
            o.put("best_member", bestMember);
            o.put("majority", round(majority));
            o.put("default", round(defaultStrategy));
            o.put("unsupervised", round(unsupervised));
            o.put("oracle", round(oracle));
            o.put("gap_recovered", round(gapRecovered() * 100));
            o.put("ece", round(ece));
            o.put("rule", rule);
            o.put("why", why);
            return o;
        }
    }

    private ConsensusEval() {}

    /**
     * @param args DATA.jsonl[.gz] COMMITTEES.json [SEED] [--hard SHARED] [--no-reports]
     * @throws IOException if a file cannot be read
     */
    public static void main(String[] args) throws IOException {
        List<String> plain = new ArrayList<>(List.of(args));
        double shared = Double.NaN;
        int hard = plain.indexOf("--hard");
        if (hard >= 0) {
            if (hard + 1 >= plain.size()) {
                usage("--hard needs the chance that a replaced reply is the question's shared distractor, 0 to 1");
            }
            shared = Double.parseDouble(plain.get(hard + 1));
            plain.subList(hard, hard + 2).clear();
        }
        boolean reports = !plain.remove("--no-reports");
        if (plain.size() < 2 || plain.size() > 3) {
            usage(null);
        }
        long seed = plain.size() == 3 ? Long.parseLong(plain.get(2)) : 42;
        Path data = Path.of(plain.get(0));
        Path hardened = null;
        if (!Double.isNaN(shared)) {
            hardened = Files.createTempFile("consensus-eval-hard-", ".jsonl.gz");
            HardenedData.write(data, hardened, seed, shared);
            data = hardened;
        }
        try {
            List<Row> rows = read(data);
            PrintStream out = System.out;
            for (var committee : committees(Path.of(plain.get(1))).entrySet()) {
                out.println(evaluate(committee.getKey(), committee.getValue(), data, rows, seed, 400, true, reports)
                        .json());
            }
        } finally {
            if (hardened != null) {
                Files.deleteIfExists(hardened);
            }
        }
    }

    private static void usage(String problem) {
        System.err.println((problem == null ? "" : "consensus-eval: " + problem + "\n")
                + "usage: consensus-eval.sh DATA.jsonl.gz COMMITTEES.json [SEED] [--hard SHARED] [--no-reports]");
        System.exit(2);
    }

    /** Reads a committees file: a JSON object, committee name to list of model names, in file order. */
    public static Map<String, List<String>> committees(Path file) throws IOException {
        Map<String, List<String>> committees = new LinkedHashMap<>();
        for (var committee : JSON.readTree(Files.readString(file)).properties()) {
            List<String> models = new ArrayList<>();
            committee.getValue().forEach(m -> models.add(m.asString()));
            committees.put(committee.getKey(), models);
        }
        return committees;
    }

    /** Reads the questions, their gold answers and which models replied. */
    public static List<Row> read(Path data) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : lines(data)) {
            JsonNode row = JSON.readTree(line);
            List<String> models = new ArrayList<>();
            row.get("answers").properties().forEach(e -> models.add(e.getKey()));
            rows.add(new Row(row.get("question").asString(), row.get("gold").asString(), Set.copyOf(models)));
        }
        return rows;
    }

    /** {@return the lines of a data file that are not blank, gunzipped if its name ends in {@code .gz}} */
    static List<String> lines(Path data) throws IOException {
        List<String> lines = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(data);
                InputStream in = data.toString().endsWith(".gz")
                        ? new GZIPInputStream(raw)
                        : raw;
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    /**
     * Runs one committee through fresh engines: trains the default strategy on {@code train} questions of the seeded
     * shuffle and scores every strategy on the rest.
     */
    public static Score evaluate(String name, List<String> models, Path data, List<Row> rows, long seed, int train) {
        return evaluate(name, models, data, rows, seed, train, true);
    }

    /**
     * As {@link #evaluate(String, List, Path, List, long, int)}; without {@code unsupervised}, the unsupervised
     * strategy is not run and its figure is NaN.
     */
    public static Score evaluate(String name, List<String> models, Path data, List<Row> rows, long seed, int train,
            boolean unsupervised) {
        return evaluate(name, models, data, rows, seed, train, unsupervised, true);
    }

    /**
     * As {@link #evaluate(String, List, Path, List, long, int, boolean)}; without {@code reports}, the default strategy
     * is asked the training questions but never told their truth: what a host that never reports gets.
     */
    public static Score evaluate(String name, List<String> models, Path data, List<Row> rows, long seed, int train,
            boolean unsupervised, boolean reports) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(seed));
        List<Integer> trainSet = order.subList(0, Math.min(train, order.size()));
        List<Integer> testSet = order.subList(trainSet.size(), order.size());
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("eval-" + UUID.randomUUID()))
                .build()) {
            ExpertCircle reliability = engine.circle(panel(models, data, "reliability"));
            ExpertCircle majority = engine.circle(panel(models, data, "majority"));
            ExpertCircle agreement = unsupervised ? engine.circle(panel(models, data, "unsupervised")) : null;
            for (int i : trainSet) {
                Row row = rows.get(i);
                ConsensusResult r = reliability.ask(CTX, query(row));
                if (reports) {
                    reliability.report(CTX, r, row.gold());
                }
                if (agreement != null) {
                    answer(agreement, row); // sees the question, never the truth
                }
            }
            int[] memberRight = new int[models.size()];
            int defaultRight = 0;
            int majorityRight = 0;
            int unsupervisedRight = 0;
            int oracleRight = 0;
            double[][] bins = new double[10][3]; // questions, right, summed confidence
            String rule = "";
            String why = "";
            for (int i : testSet) {
                Row row = rows.get(i);
                String gold = Extractions.extract(Extraction.auto(), row.gold());
                ConsensusResult r = reliability.ask(CTX, query(row));
                defaultRight += right(r.answer(), gold);
                double[] bin = bins[Math.clamp((int) (r.confidence() * 10), 0, 9)];
                bin[0]++;
                bin[1] += right(r.answer(), gold);
                bin[2] += r.confidence();
                why = r.rationale() == null ? r.strategy() : r.rationale();
                rule = why.split(":", 2)[0];
                majorityRight += right(answer(majority, row), gold);
                unsupervisedRight += agreement == null ? 0 : right(answer(agreement, row), gold);
                boolean any = false;
                for (int m = 0; m < models.size(); m++) {
                    ExpertAnswer a = r.answers().get(m);
                    int ok = right(a.extracted(), gold);
                    memberRight[m] += ok;
                    any |= ok == 1;
                }
                oracleRight += any ? 1 : 0;
            }
            int best = 0;
            for (int m = 1; m < models.size(); m++) {
                if (memberRight[m] > memberRight[best]) {
                    best = m;
                }
            }
            double n = testSet.size() / 100.0;
            double ece = 0;
            for (double[] bin : bins) {
                ece += bin[0] == 0 ? 0 : Math.abs(bin[1] - bin[2]) / n;
            }
            return new Score(name, trainSet.size(), testSet.size(), seed, memberRight[best] / n, models.get(best),
                    majorityRight / n, defaultRight / n, agreement == null ? Double.NaN : unsupervisedRight / n,
                    oracleRight / n, ece,
                    rule, why);
        }
    }

    /** {@return the circle's answer, or null when it could not give one (no expert answered)} */
    private static String answer(ExpertCircle circle, Row row) {
        try {
            return circle.ask(CTX, query(row)).answer();
        } catch (org.codeengine.api.CodeException e) {
            return null;
        }
    }

    private static int right(String answer, String gold) {
        return answer != null && answer.equals(gold) ? 1 : 0;
    }

    private static Query query(Row row) {
        return Query.of(row.question());
    }

    private static ExpertPanel panel(List<String> models, Path data, String strategy) {
        ExpertPanel.Builder panel = ExpertPanel.builder().quorum(Quorum.of(1)).strategy(strategy).provider("replay",
                new ProviderConfig(null, null, Duration.ofSeconds(30), Map.of("file", data.toString()))).limits(
                        "replay", new ExpertPanel.ProviderLimits(1e6, 64, 1));
        for (String m : models) {
            int twin = m.indexOf('#');
            panel.expert(twin < 0
                    ? ExpertSpec.of("replay", m)
                    : new ExpertSpec("replay", m.substring(0, twin), m.substring(twin + 1), null, 1));
        }
        return panel.build();
    }

    private static double round(double v) {
        return Double.parseDouble(String.format(Locale.ROOT, "%.2f", v));
    }
}
