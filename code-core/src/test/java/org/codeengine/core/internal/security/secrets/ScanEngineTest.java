package org.codeengine.core.internal.security.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.security.SecretFinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine: linear in text and findings, the same findings whether a text is streamed in chunks or held whole. */
class ScanEngineTest {
    static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    final Random random = new Random(21);
    final ScanEngine engine = DefaultRules.engine();

    String random(String alphabet, int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** An AWS access key id, not one that reads as a placeholder by chance (one in about 10,000 hold FAKE, XXXX…). */
    String awsKey() {
        while (true) {
            String key = "AKIA" + random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16);
            if (!Placeholders.isPlaceholder(key)) {
                return key;
            }
        }
    }

    /**
     * A guard on the complexity, not a throughput figure (that is SecretScanBenchmark's): the scanner this replaced
     * compared every finding with every other and counted lines from the start for each, and took 93–129 s here. The
     * bound is on the scanning thread's processor time, so a busy machine does not fail it; the timeout stops a hang.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void fortyThousandKeys_inOnePointFourMegabytes_areAllFound_inUnderTwoSeconds() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            text.append("aws_key_").append(i % 10).append("  = ").append(awsKey()).append('\n');
        }
        assertThat(text.length()).isBetween(1_300_000, 1_500_000);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();

        List<SecretFinding> found = engine.scan(text.toString(), "keys.env");

        Duration spent = Duration.ofNanos(threads.getCurrentThreadCpuTime() - cpu);
        assertThat(spent).as("processor time of the scan, cold").isLessThan(Duration.ofSeconds(2));

        assertThat(found).hasSize(40_000);
        for (int i = 0; i < found.size(); i += 997) {
            assertThat(found.get(i).line()).isEqualTo(i + 1);
            assertThat(found.get(i).column()).isEqualTo(14);
        }
    }

    @Test
    void aStreamScannedInChunks_findsWhatTheWholeTextHolds_withTheSameLinesAndColumns() throws IOException {
        StringBuilder text = new StringBuilder();
        List<Integer> boundaries = List.of(ScanEngine.CHUNK + ScanEngine.OVERLAP, 2 * ScanEngine.CHUNK
                + ScanEngine.OVERLAP, 3 * ScanEngine.CHUNK + ScanEngine.OVERLAP);
        int next = 0;
        while (text.length() < 4 * ScanEngine.CHUNK) {
            if (next < boundaries.size() && text.length() > boundaries.get(next) - 30) {
                text.append("k=").append(awsKey()).append(' '); // straddles a chunk boundary
                next++;
            } else if (random.nextInt(50) == 0) {
                text.append("export K=").append(awsKey()).append('\n');
            } else {
                text.append(random(ALNUM + "   ", random.nextInt(120))).append('\n');
            }
        }
        List<SecretFinding> whole = engine.scan(text.toString(), "big.txt");

        List<SecretFinding> streamed = engine.scan(new StringReader(text.toString()), "big.txt");

        assertThat(whole).hasSizeGreaterThan(1000);
        assertThat(streamed).containsExactlyElementsOf(whole);
    }

    @Test
    void aKeyOnAVeryLongLine_isFound_withItsColumn_acrossChunks() throws IOException {
        String prefix = "x".repeat(3 * ScanEngine.CHUNK + 17) + " ";
        String key = awsKey();

        List<SecretFinding> found = engine.scan(new StringReader("first\n" + prefix + key + " end\n"), "min.js");

        assertThat(found).singleElement().satisfies(f -> {
            assertThat(f.line()).isEqualTo(2);
            assertThat(f.column()).isEqualTo(prefix.length() + 1);
        });
    }

    @Test
    void theKeywordAutomaton_findsWhatANaiveSearchFinds_ignoringCase() {
        List<String> keywords = List.of("ab", "abc", "bca", "c", "xoxb-", "aws", "a");
        KeywordAutomaton automaton = new KeywordAutomaton(keywords);
        for (int round = 0; round < 200; round++) {
            String text = random("abcABCxob-wsS ", 1 + random.nextInt(60));
            List<String> naive = new ArrayList<>();
            String lower = text.toLowerCase(java.util.Locale.ROOT);
            for (int end = 1; end <= text.length(); end++) {
                for (int k = 0; k < keywords.size(); k++) {
                    if (lower.startsWith(keywords.get(k), end - keywords.get(k).length())) {
                        naive.add(k + "@" + end);
                    }
                }
            }
            List<String> found = new ArrayList<>();
            automaton.find(text, 0, text.length(), (k, end) -> found.add(k + "@" + end));
            assertThat(found).as(text).containsExactlyInAnyOrderElementsOf(naive);
        }
    }
}
