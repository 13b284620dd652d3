package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.codeengine.api.CallContext;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.DeploymentSpecs;
import org.codeengine.core.testservices.DeployOnCommand;
import org.codeengine.plugin.testkit.CrashHosts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two engines in two JVMs on one PostgreSQL deploy the same plan at the same moment, round after round: exactly one
 * run deploys each time, the other is refused with its id, and never do more processes live than the plan's
 * instances (counted by their mark, see {@link MarkedSleeps}).
 */
class PostgresConcurrentDeployTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "t");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final int ROUNDS = 20;
    static final int INSTANCES = 3;

    @TempDir
    Path dir;
    final Pg pg = new Pg();
    final String schema = pg.newSchema();
    final MarkedSleeps sleeps = new MarkedSleeps();
    final List<Process> hosts = new ArrayList<>();
    CodeEngine engine;

    @BeforeAll
    static void requireServer() {
        Pg.requireServer();
    }

    @AfterEach
    void tearDown() throws Exception {
        hosts.forEach(Process::destroyForcibly);
        sleeps.killAll();
        if (engine != null) {
            engine.close();
        }
        pg.close();
    }

    /** A host JVM: its commands go in, its answers come out on a queue. */
    record Host(Process process, Writer in, BlockingQueue<String> out) {
        void send(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
        }

        String next() throws InterruptedException {
            String line = out.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(line).as("an answer from host %s", process.pid()).isNotNull();
            return line;
        }
    }

    Host host(Path spec) throws IOException {
        List<String> command = new ArrayList<>(List.of(TinyServices.JAVA, "-XX:TieredStopAtLevel=1", "-cp",
                CrashHosts.testClassPath(), DeployOnCommand.class.getName(), "--spec", spec.toString()));
        command.addAll(Pg.args(schema));
        Process process = new ProcessBuilder(command).redirectError(dir.resolve("host-" + hosts.size() + ".log")
                .toFile()).start();
        hosts.add(process);
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    if (line.equals("ready") || line.startsWith("ran ") || line.startsWith("busy ") || line
                            .startsWith("error ")) {
                        out.add(line);
                    }
                }
            } catch (IOException e) {
                out.add("error " + e);
            }
        });
        return new Host(process, new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
                out);
    }

    @Test
    void twoEnginesInTwoJvms_deployingTheSamePlanAtOnce_runOneDeploymentEachRound_neverMoreProcessesThanInstances()
            throws Exception {
        engine = CodeEngine.builder().store(Pg.config(schema)).adoptOrphanedRuns(false).build(); // migrates first
        Path spec = dir.resolve("twin.json");
        Files.writeString(spec, DeploymentSpecs.toJson(sleeps.plan("twin", INSTANCES, Duration.ofMillis(600))));
        Host first = host(spec);
        Host second = host(spec);
        assertThat(first.next()).isEqualTo("ready");
        assertThat(second.next()).isEqualTo("ready");

        AtomicInteger most = new AtomicInteger();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (sampling.get()) {
                most.accumulateAndGet(sleeps.alive().size(), Math::max);
                try {
                    Thread.sleep(10); // a sampling interval, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        String winner = null;
        try {
            for (int round = 1; round <= ROUNDS; round++) {
                first.send("deploy");
                second.send("deploy");
                List<String> answers = List.of(first.next(), second.next());
                List<String> ran = answers.stream().filter(a -> a.startsWith("ran ")).toList();
                assertThat(ran).as("round %d: %s", round, answers).singleElement().satisfies(a -> assertThat(a)
                        .endsWith(" " + RunState.SUCCEEDED));
                winner = ran.getFirst().split(" ")[1];
                assertThat(answers).as("round %d: the other is refused with the id of the run that deploys", round)
                        .contains("busy " + winner);
                assertThat(sleeps.alive()).as("round %d: live processes", round).hasSize(INSTANCES);
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertThat(most.get()).as("the most processes of the plan alive at once").isLessThanOrEqualTo(INSTANCES);

        first.send("quit");
        second.send("quit");
        assertThat(engine.orchestrator().rollback(CTX, winner).await(WAIT)).isEqualTo(RunState.ROLLED_BACK);
        assertThat(sleeps.alive()).as("nothing left running").isEmpty();
    }
}
