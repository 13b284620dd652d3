package org.codeengine.examples.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.StopReason;
import org.codeengine.api.agents.Transcript;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent's host JVM is killed with SIGKILL at a random moment of its run, ten times; each time an engine in this JVM
 * resumes the run from the store. The ledger file counts what the non-idempotent tool did.
 */
class AgentCrashResumeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Events of an uninterrupted run: 5 turns started and replied, 6 tool calls started and ended, 1 stop. */
    private static final int EVENTS = 23;
    @TempDir
    Path dir;
    private final LedgerModel model = new LedgerModel();
    private final List<Process> hosts = new ArrayList<>();

    @AfterEach
    void stop() {
        hosts.forEach(Process::destroyForcibly);
        model.close();
    }

    @Test
    void aHostKilledAtRandomMoments_resumes_withoutRunningANonIdempotentCallTwice() throws Exception {
        Path h2 = dir.resolve("db/code-db");
        Transcript uninterrupted;
        Path baselineLedger = dir.resolve("ledger-baseline");
        try (CodeEngine engine = AgentHost.engine(dir.resolve("baseline/code-db"), model.base(), baselineLedger)) {
            AgentResult baseline = engine.agents().run(AgentHost.CTX, AgentHost.SPEC, AgentHost.TASK).await(WAIT);
            assertThat(baseline.stopReason()).as(baseline.detail()).isEqualTo(StopReason.ANSWERED);
            uninterrupted = baseline.transcript();
        }
        for (String entry : LedgerModel.ENTRIES) {
            assertThat(Ledger.count(baselineLedger, entry)).isEqualTo(1);
        }
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int answered = 0;
        List<String> rounds = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            Path ledger = dir.resolve("ledger-" + round);
            int killAfter = 1 + random.nextInt(EVENTS - 2);
            int extraMs = random.nextInt(40);
            String runId = runAndKill(h2, ledger, killAfter, extraMs);
            AgentResult resumed;
            try (CodeEngine engine = AgentHost.engine(h2, model.base(), ledger)) {
                resumed = engine.agents().resume(AgentHost.CTX, runId).await(WAIT);
            }
            String where = "round " + round + " (seed " + seed + ", killed after event " + killAfter + " + "
                    + extraMs + " ms): " + resumed.stopReason() + " " + resumed.detail();
            rounds.add(where);
            for (String entry : LedgerModel.ENTRIES) {
                assertThat(Ledger.count(ledger, entry)).as("appends of %s, %s", entry, where).isLessThanOrEqualTo(1);
            }
            if (resumed.stopReason() == StopReason.ANSWERED) {
                answered++;
                assertThat(resumed.transcript()).as(where).isEqualTo(uninterrupted);
                for (String entry : LedgerModel.ENTRIES) {
                    assertThat(Ledger.count(ledger, entry)).as("appends of %s, %s", entry, where).isEqualTo(1);
                }
            } else {
                // killed while ledger_append ran: whether it took effect is unknown, so it is not run again
                assertThat(resumed.stopReason()).as(where).isEqualTo(StopReason.IN_FLIGHT_NOT_IDEMPOTENT);
                assertThat(resumed.detail()).contains("ledger_append").contains("not idempotent");
            }
        }
        System.out.println("crash-resume rounds:\n" + String.join("\n", rounds));
        assertThat(answered).as("rounds that finished with the answer: %s", rounds).isPositive();
    }

    /** {@return the id of the run the host started before it was killed} */
    private String runAndKill(Path h2, Path ledger, int killAfter, int extraMs) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process host = new ProcessBuilder(java, "-cp", classPath, AgentHost.class.getName(), h2.toString(), model
                .base().toString(), ledger.toString()).redirectErrorStream(true).start();
        hosts.add(host);
        String runId = null;
        int events = 0;
        List<String> seen = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                seen.add(line);
                if (line.startsWith("run ")) {
                    runId = line.substring(4).strip();
                } else if (line.startsWith("event ") && ++events >= killAfter) {
                    break;
                }
            }
            Thread.sleep(extraMs);
            host.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            host.waitFor();
        }
        assertThat(runId).as("the host's output: %s", seen).isNotNull();
        return runId;
    }
}
