package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a hostile trial found in plan and deploy: each case gets one clear sentence, and nothing is left half-done. */
class HardenedCommandsTest {
    @TempDir
    Path home;

    private Path plan(String name, String text) throws Exception {
        return Files.writeString(home.resolve(name), text);
    }

    @Test
    void plan_opensNoStore_soItWorksWhileAnotherProcessHoldsIt() throws Exception {
        Path good = plan("shop.yaml", """
                name: shop
                environment: dev
                services:
                  - {name: web, executor: process, settings: {command: "sleep 60"}}
                """);
        Cli.Result fresh = new Cli(home).run("plan", good.toString());
        assertThat(fresh.exit()).as(fresh.all()).isZero();
        assertThat(home.resolve("code-db.mv.db")).as("no store was created").doesNotExist();

        // a store no engine can open (as when a deploy's process holds its lock) does not stop a plan
        Files.writeString(home.resolve("code-db.mv.db"), "held by another process");
        Cli.Result held = new Cli(home).run("plan", good.toString());
        assertThat(held.exit()).as(held.all()).isZero();
        assertThat(held.out()).contains("deployment shop to dev: 1 services in 1 phases");
    }

    @Test
    void plan_ofACommandThatDoesNotExist_exitsTwo_namingTheServiceAndTheCommand() throws Exception {
        Cli.Result r = new Cli(home).run("plan", plan("bad.yaml", """
                name: shop
                environment: dev
                services:
                  - {name: web, executor: process, settings: {command: "no-such-program-22 --port 1"}}
                """).toString());

        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        assertThat(r.err()).contains("service 'web'").contains("'no-such-program-22', which is not found on the PATH")
                .doesNotContain("\tat ");
    }

    @Test
    void plan_ofABinaryFile_exitsTwo_sayingItIsNotUtf8Text() throws Exception {
        Path binary = home.resolve("plan.yaml");
        Files.write(binary, new byte[]{'n', 'a', 'm', 'e', ':', ' ', (byte) 0x89, 'P', 'N', 'G', 0, 0});

        Cli.Result r = new Cli(home).run("plan", binary.toString());

        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        assertThat(r.err()).contains(binary + " is not UTF-8 text: byte 6 (0x89)").doesNotContain("Input length");
    }

    @Test
    void plan_ofTooManyInstances_exitsTwo_namingTheBound() throws Exception {
        Cli.Result r = new Cli(home).run("plan", plan("many.yaml", """
                name: shop
                environment: dev
                services:
                  - {name: web, executor: process, instances: 100000, settings: {command: "sleep 60"}}
                """).toString());

        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        assertThat(r.err()).contains("service 'web' asks for 100000 instances, more than the 64 this engine allows");
    }

    @Test
    void messages_showLettersAsWritten_andEscapeControlAndBidiCharacters() throws Exception {
        Cli.Result r = new Cli(home).run("plan", plan("evil.yaml", """
                name: "café\\u202Eevil\\e[2J\\u200F"
                environment: dev
                services:
                  - {name: web, executor: process, settings: {command: "sleep 60"}}
                """).toString());

        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        assertThat(r.err()).contains("but was 'café\\u202Eevil\\u001B[2J\\u200F'").doesNotContain("\u202E")
                .doesNotContain("\u001b").doesNotContain("\u200F");
    }

    @Test
    void deploy_onAFullDisk_saysSoInOneSentence_andLeavesARunThatStatusExplainsAndResumeFinishes() throws Exception {
        Path disk = Files.createDirectories(home.resolve("disk"));
        assumeTrue(command("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", disk.toString()),
                "a full disk is a small tmpfs, which takes root to mount");
        try {
            Cli cli = new Cli(disk.resolve("home"));
            assertThat(cli.run("status").exit()).as("the store is created").isZero();
            Path up = home.resolve("a-up");
            Path go = home.resolve("go");
            Path plan = plan("disk.yaml", """
                    name: disk
                    environment: dev
                    services:
                      - {name: a, executor: process, settings: {command: "sh -c 'touch %s; exec sleep 300'"}}
                      - name: b
                        executor: process
                        dependsOn: [a]
                        settings: {command: "sleep 300"}
                        health: {probe: command, settings: {command: "test -f %s"}, interval: 50ms, \
                    failureThreshold: 100000}
                    """.formatted(up, go));
            CompletableFuture<Cli.Result> deploy = CompletableFuture.supplyAsync(() -> cli.run("deploy", plan
                    .toString()));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (!Files.exists(up) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            Path filler = disk.resolve("filler");
            try (OutputStream out = Files.newOutputStream(filler)) {
                byte[] block = new byte[1 << 16];
                while (true) {
                    out.write(block);
                }
            } catch (IOException full) {
                assertThat(full).hasMessageContaining("No space left");
            }
            Files.createFile(go); // b turns healthy, and the journal's write of it meets the full disk

            Cli.Result r = deploy.get(2, TimeUnit.MINUTES);

            assertThat(r.exit()).as(r.all()).isEqualTo(1);
            assertThat(r.err()).matches("error: run (\\S+) stopped: its store could not be written, for the disk "
                    + "that holds it is full\nhint: free some space there, then 'code resume \\1' finishes it "
                    + "\\('code status \\1' shows where it stopped\\)\n");
            String runId = r.err().split(" ")[2];

            Files.delete(filler);
            Cli.Result status = cli.run("status", runId);
            assertThat(status.out()).contains("RUNNING").contains("the run has not ended").contains("'code resume "
                    + runId + "' finishes it");
            // the engine that stopped could not give up its lease either (here it is this JVM, still alive): the
            // resume waits for it to expire
            Cli.Result resumed = cli.run("resume", runId);
            deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (resumed.exit() != 0 && resumed.err().contains("once that lease expires") && System
                    .nanoTime() < deadline) {
                resumed = cli.run("resume", runId);
            }
            assertThat(resumed.exit()).as(resumed.all()).isZero();
            assertThat(resumed.out()).containsPattern("run\\s+succeeded");
            assertThat(cli.run("rollback", runId).exit()).isZero();
        } finally {
            // whatever the outcome, no service of this test outlives it
            ProcessHandle.current().descendants().filter(p -> p.info().arguments().map(a -> List.of(a).contains(
                    "300")).orElse(false)).forEach(ProcessHandle::destroyForcibly);
            command("umount", "-l", disk.toString());
        }
    }

    private static boolean command(String... line) throws Exception {
        Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
        process.getInputStream().transferTo(OutputStream.nullOutputStream());
        return process.waitFor() == 0;
    }

    @Test
    void deploy_thatRunsOutOfTime_isCancelledAndUndone_leavingNoProcess() throws Exception {
        Path pids = home.resolve("pids");
        Cli cli = new Cli(home);
        Cli.Result r = cli.run("deploy", "--timeout", "2s", plan("slow.yaml", Cli.neverHealthy(3, pids)).toString());

        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.err()).containsPattern("run \\S+ did not finish within 2.0s, so it was cancelled and what it "
                + "started was stopped; it ended CANCELLED").contains("hint: allow more time with --timeout");
        List<Long> started = Files.readAllLines(pids).stream().map(Long::parseLong).toList();
        assertThat(started).hasSize(3);
        assertThat(started).allSatisfy(pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).as(
                "process " + pid).isEmpty());
        Cli.Result status = cli.run("status");
        assertThat(status.out()).contains("slow").contains("CANCELLED");

        // the services' logs are in the home folder, for its owner only
        Path logs = home.resolve("logs");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(logs))).isEqualTo("rwx------");
        try (var runs = Files.list(logs)) {
            Path run = runs.findFirst().orElseThrow();
            assertThat(run.resolve("api-0.log")).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(run.resolve("api-0.log"))))
                    .isEqualTo("rw-------");
        }
    }
}
