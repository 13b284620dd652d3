package org.codeengine.examples.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import org.codeengine.api.experts.Extraction;
import org.codeengine.core.Extractions;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The recorded questions of {@code shared/eval/gsm8k-experts.jsonl.gz}: one JSON object a line with the question, the
 * gold answer and each model's verbatim reply. The replay provider answers from the same file.
 */
final class EvalData {
    /** The file's name within the eval folder. */
    static final String FILE = "gsm8k-experts.jsonl.gz";
    /** The recorded models the demo's circle is made of: three strong, two weaker, from four vendors. */
    static final List<String> DEMO_MODELS = List.of("gpt-4o-mini-2024-07-18", "claude-3-haiku-20240307",
            "gemini-1.5-flash", "Mixtral-8x7B-Instruct-v0.1", "Qwen2-7B-Instruct");

    /**
     * One recorded question.
     *
     * @param id its id in the data
     * @param question the question
     * @param gold the right answer
     */
    record Question(String id, String question, String gold) {}

    /**
     * The 40 questions the app carries, with the five demo models' replies, so that the demo is whole without the full
     * data (its README beside it says which and under what licence).
     */
    static final String SAMPLE = "gsm8k-experts-sample.jsonl.gz";
    /** How many questions {@link #SAMPLE} holds. */
    static final int SAMPLE_SIZE = 40;

    private EvalData() {}

    /**
     * @param cache the folder to copy the sample into (the replay provider reads a file)
     * @return the copy of {@link #SAMPLE} there, written now when it is missing or differs
     * @throws CliException if it cannot be written
     */
    static Path sample(Path cache) {
        Path file = cache.resolve(SAMPLE);
        try (InputStream in = EvalData.class.getResourceAsStream(SAMPLE)) {
            if (in == null) {
                throw new IllegalStateException("the app's jar lacks " + SAMPLE);
            }
            byte[] bytes = in.readAllBytes();
            if (!Files.isRegularFile(file) || Files.size(file) != bytes.length) {
                Files.createDirectories(cache);
                Path partial = cache.resolve(SAMPLE + "." + ProcessHandle.current().pid());
                Files.write(partial, bytes);
                Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return file;
        } catch (IOException e) {
            throw CliException.failure("cannot copy the app's recorded replies into " + cache + ": " + e.getMessage(),
                    "check that the home folder is writable, or pass --eval with the folder that holds " + FILE);
        }
    }

    /**
     * Picks the first {@code count} questions, in file order, that every one of {@code models} answered, on which they
     * did not all agree but most of them did: the questions where a consensus has something to decide and dissent to
     * show.
     *
     * @param file the data
     * @param models the models that must have answered
     * @param count how many to pick
     * @return the questions
     * @throws CliException if the file cannot be read
     */
    static List<Question> disputed(Path file, List<String> models, int count) {
        List<Question> picked = new ArrayList<>();
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null && picked.size() < count; line = lines.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode row = Output.JSON.readTree(line);
                JsonNode answers = row.path("answers");
                Map<String, Integer> votes = new HashMap<>();
                boolean all = true;
                for (String model : models) {
                    JsonNode reply = answers.get(model);
                    if (reply == null || !reply.isString()) {
                        all = false;
                        break;
                    }
                    votes.merge(Objects.toString(Extractions.extract(Extraction.auto(), reply.asString())), 1,
                            Integer::sum);
                }
                int largest = votes.values().stream().max(Integer::compare).orElse(0);
                if (all && votes.size() > 1 && largest * 2 > models.size()) {
                    picked.add(new Question(row.path("id").asString(), row.path("question").asString(), row.path(
                            "gold").asString()));
                }
            }
        } catch (IOException | JacksonException e) {
            throw CliException.failure("cannot read the recorded replies in " + file + ": " + e.getMessage(),
                    "pass --eval with the folder that holds " + FILE);
        }
        return picked;
    }
}
