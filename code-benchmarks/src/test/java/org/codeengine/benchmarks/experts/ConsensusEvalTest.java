package org.codeengine.benchmarks.experts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards the answer quality of the circle on real model replies ({@code ../shared/eval}): the committee where plain
 * majority loses to its best member, and the largest committee, where the margins are thinnest. Fixed seed, as in the
 * README's figures; the whole evaluation is {@code consensus-eval.sh}.
 */
class ConsensusEvalTest {
    static Path data;
    static List<ConsensusEval.Row> rows;

    @BeforeAll
    static void load() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("shared/eval"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("../shared/eval beside the project").isNotNull();
        data = dir.resolve("shared/eval/gsm8k-experts.jsonl.gz");
        rows = ConsensusEval.read(data);
    }

    /**
     * The regression guard of issue 20: on every committee of the stress table (the four of {@code ../shared/eval}
     * and six that stress the rule: one strong and two weak, one strong and four weak, all weak, near-duplicate pairs,
     * exact duplicates, seven members), the default is never more than half a point below the better of its best
     * member and plain majority.
     */
    @Test
    void everyCommitteeOfTheStressTable_theDefaultHoldsTheBetterOfBestMemberAndMajority_atSeed7() throws IOException {
        Path file = Files.exists(Path.of("committees-stress.json"))
                ? Path.of("committees-stress.json")
                : Path.of("code-benchmarks/committees-stress.json");
        Map<String, List<String>> committees = ConsensusEval.committees(file);
        assertThat(committees).hasSizeGreaterThanOrEqualTo(10);
        List<String> below = new ArrayList<>();
        for (var committee : committees.entrySet()) {
            ConsensusEval.Score s = ConsensusEval.evaluate(committee.getKey(), committee.getValue(), data, rows, 7, 400,
                    false);
            double floor = Math.max(s.bestSingle(), s.majority()) - 0.5;
            if (s.defaultStrategy() < floor) {
                below.add(s.committee() + ": default " + s.defaultStrategy() + " < " + floor + " (" + s.rule() + ")");
            }
        }
        assertThat(below).isEmpty();
    }

    @Test
    void small3_theDefaultBeatsItsBestMemberAndMajority_andClosesAThirdOfTheGapToTheOracle() {
        ConsensusEval.Score s = ConsensusEval.evaluate("small3", List.of("Mixtral-8x7B-Instruct-v0.1",
                "gemma-2-9b-it", "Qwen2-7B-Instruct"), data, rows, 42, 400);

        assertThat(s.test()).isEqualTo(919);
        assertThat(s.majority()).as("plain majority loses to the best member here").isLessThan(s.bestSingle());
        assertThat(s.defaultStrategy()).isGreaterThan(s.bestSingle() + 1.5).isGreaterThan(s.majority());
        assertThat(s.gapRecovered()).isGreaterThan(0.30);
        assertThat(s.unsupervised()).isGreaterThan(s.majority() + 2);
    }

    @Test
    void all12_theDefaultAndTheUnsupervisedModeBeatMajority() {
        ConsensusEval.Score s = ConsensusEval.evaluate("all12", List.of("gpt-4o-mini-2024-07-18",
                "claude-3-haiku-20240307", "gemini-1.5-flash", "deepseek-chat", "Meta-Llama-3.1-70B-Instruct",
                "Mixtral-8x7B-Instruct-v0.1", "gemma-2-9b-it", "Qwen2-7B-Instruct", "Meta-Llama-3-8B-Instruct",
                "gpt-3.5-turbo-0125", "command-r-plus", "Yi-1.5-34B-Chat"), data, rows, 42, 400);

        assertThat(s.defaultStrategy()).isGreaterThan(s.majority()).isGreaterThan(s.bestSingle());
        assertThat(s.unsupervised()).isGreaterThan(s.majority());
        assertThat(s.oracle()).isGreaterThan(s.defaultStrategy());
    }
}
