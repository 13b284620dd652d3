package org.codeengine.benchmarks.experts;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.codeengine.api.experts.Extraction;
import org.codeengine.core.Extractions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A harder copy of recorded replies, for the regime the visible data lacks: every model right well under half the
 * time. Each model keeps each of its right replies with a chance that leaves it right {@code 15 % + 1.5 × (its accuracy
 * − 75 %)} of the time (at least 12 %): the order of the models is kept, the gaps between them widened. A right reply
 * it does not keep is replaced by the same model's recorded reply to another question whose answer is not the gold one,
 * so every reply stays a real reply of that model, consistent in its form and its working. Where that other question
 * is drawn:
 *
 * <ul>
 * <li>{@code shared = 0}: at random for each model, so the wrong answers scatter over many values and two models
 * rarely give the same wrong one (the case where a model right 30 % of the time is still strong evidence);
 * <li>{@code shared > 0}: with that chance the question's one shared distractor, the same other question for every
 * model, so the models' mistakes fall on one common wrong answer as related models' do.
 * </ul>
 *
 * Deterministic for a seed.
 */
public final class HardenedData {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** How many draws of another question are tried before a right reply is kept after all. */
    private static final int DRAWS = 50;

    private HardenedData() {}

    /**
     * Writes the harder copy of {@code data} to {@code out} (gzip if its name ends in {@code .gz}).
     *
     * @param data recorded replies, as {@link ConsensusEval} reads them
     * @param out where the copy is written
     * @param seed what decides which replies are replaced and by which
     * @param shared the chance, from 0 to 1, that a replaced reply is the question's shared distractor
     * @throws IOException if a file cannot be read or written
     */
    public static void write(Path data, Path out, long seed, double shared) throws IOException {
        if (!(shared >= 0 && shared <= 1)) {
            throw new IllegalArgumentException("shared must be between 0 and 1, not " + shared);
        }
        List<ObjectNode> rows = read(data);
        Map<String, int[]> right = new HashMap<>(); // per model: right, answered
        List<String> gold = new ArrayList<>(rows.size());
        for (ObjectNode row : rows) {
            String g = Extractions.extract(Extraction.auto(), row.get("gold").asString());
            gold.add(g);
            for (var reply : row.get("answers").properties()) {
                int[] count = right.computeIfAbsent(reply.getKey(), m -> new int[2]);
                count[0] += Objects.equals(answer(reply.getValue()), g) ? 1 : 0;
                count[1]++;
            }
        }
        Map<String, Double> keep = new HashMap<>();
        right.forEach((model, count) -> {
            double accuracy = count[1] == 0 ? 0 : (double) count[0] / count[1];
            double target = Math.max(0.12, 0.15 + (accuracy - 0.75) * 1.5);
            keep.put(model, accuracy == 0 ? 1 : Math.min(1, target / accuracy));
        });
        Random random = new Random(seed);
        List<ObjectNode> hard = new ArrayList<>(rows.size());
        for (int q = 0; q < rows.size(); q++) {
            ObjectNode row = rows.get(q).deepCopy();
            int distractor = random.nextInt(rows.size());
            ObjectNode answers = (ObjectNode) row.get("answers");
            for (String model : List.copyOf(answers.propertyNames())) {
                if (!Objects.equals(answer(answers.get(model)), gold.get(q)) || random.nextDouble() < keep.get(model)) {
                    continue;
                }
                boolean fromDistractor = random.nextDouble() < shared;
                for (int draw = 0; draw < DRAWS; draw++) {
                    int other = draw == 0 && fromDistractor ? distractor : random.nextInt(rows.size());
                    JsonNode reply = rows.get(other).get("answers").get(model);
                    if (reply != null && !Objects.equals(answer(reply), gold.get(q))) {
                        answers.set(model, reply);
                        break;
                    }
                }
            }
            hard.add(row);
        }
        try (OutputStream file = Files.newOutputStream(out);
                OutputStream raw = out.toString().endsWith(".gz") ? new GZIPOutputStream(file) : file;
                Writer w = new OutputStreamWriter(raw, StandardCharsets.UTF_8)) {
            for (ObjectNode row : hard) {
                w.write(JSON.writeValueAsString(row));
                w.write('\n');
            }
        }
    }

    private static String answer(JsonNode reply) {
        return reply == null || reply.isNull() ? null : Extractions.extract(Extraction.auto(), reply.asString());
    }

    private static List<ObjectNode> read(Path data) throws IOException {
        List<ObjectNode> rows = new ArrayList<>();
        for (String line : ConsensusEval.lines(data)) {
            rows.add((ObjectNode) JSON.readTree(line));
        }
        return rows;
    }
}
