package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@code code secrets scan} as a gate: whatever it does not read is reported file by file and makes the exit code 2
 * (unless {@code --allow-skipped}); text in another encoding is decoded and scanned; no file is too large.
 */
class SecretsScanGateTest {
    private static final String TOKEN = SecurityCommandsTest.TOKEN;

    @TempDir
    Path home;

    @TempDir
    Path work;

    /**
     * {@code /proc/self/mem} opens but its first page cannot be read (EIO), for root too: a real unreadable file where
     * {@code chmod 000} stops no one (the tests run as root).
     */
    @Test
    void anUnreadableFile_isReported_andExitsTwo_unlessSkippedFilesAreAllowed() throws IOException {
        Path mem = Path.of("/proc/self/mem");
        assumeTrue(Files.exists(mem), "needs Linux's /proc");
        Files.writeString(work.resolve("clean.txt"), "nothing here\n");

        Cli.Result r = new Cli(home).run("secrets", "scan", work.toString(), mem.toString(), "--json");

        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        JsonNode notice = r.json().path("notices").get(0);
        assertThat(notice.path("path").asString()).isEqualTo(mem.toString());
        assertThat(notice.path("kind").asString()).isEqualTo("unreadable");
        assertThat(notice.path("skipped").asBoolean()).isTrue();
        assertThat(r.json().path("files").asInt()).isEqualTo(1);
        assertThat(r.json().path("skipped").asInt()).isEqualTo(1);

        Cli.Result allowed = new Cli(home).run("secrets", "scan", work.toString(), mem.toString(), "--allow-skipped");
        assertThat(allowed.exit()).as(allowed.all()).isZero();
        assertThat(allowed.out()).contains(mem + "  not read: ").contains("1 not read");
    }

    /**
     * A folder whose absolute path is longer than Linux's PATH_MAX (4,096 bytes) cannot be opened by anyone, root
     * included: made with relative {@code mkdir}s from a shell, and removed the same way ({@code rm -rf} walks it with
     * relative calls; the JDK cannot).
     */
    @Test
    void anUnreadableFolder_isReported_andExitsTwo() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/self")), "needs Linux");
        Path top = Files.createDirectory(work.resolve("deep"));
        String name = "d".repeat(200);
        try {
            shell("cd '" + top + "' && for i in $(seq 1 24); do mkdir " + name + " && cd " + name
                    + "; done && echo 'GITHUB_TOKEN=" + TOKEN + "' > env");
            Files.writeString(work.resolve("clean.txt"), "nothing here\n");

            Cli.Result r = new Cli(home).run("secrets", "scan", work.toString(), "--json");

            assertThat(r.exit()).as(r.all()).isEqualTo(2);
            assertThat(r.json().path("notices").valueStream()).anySatisfy(n -> {
                assertThat(n.path("kind").asString()).isEqualTo("unreadable");
                assertThat(n.path("path").asString()).startsWith(top + "/" + name);
                assertThat(n.path("detail").asString()).containsIgnoringCase("too long");
            });
        } finally {
            shell("rm -rf '" + top + "'");
        }
    }

    @Test
    void aLatin1File_isReadAsLatin1_reported_andItsKeyFound() throws IOException {
        Path file = work.resolve("legacy.properties");
        Files.write(file, ("# paramètres de déploiement\nGITHUB_TOKEN=" + TOKEN + "\n").getBytes(
                StandardCharsets.ISO_8859_1));

        Cli.Result r = new Cli(home).run("secrets", "scan", file.toString(), "--json");

        assertFoundOnce(r, 2, 14);
        JsonNode notice = r.json().path("notices").get(0);
        assertThat(notice.path("kind").asString()).isEqualTo("decoded");
        assertThat(notice.path("skipped").asBoolean()).isFalse();
        assertThat(notice.path("detail").asString()).contains("Latin-1");
    }

    @Test
    void aUtf16FileWithAByteOrderMark_isDecoded_reported_andItsKeyFound() throws IOException {
        Path file = work.resolve("settings.ini");
        byte[] body = ("[github]\r\ntoken = " + TOKEN + "\r\n").getBytes(StandardCharsets.UTF_16LE);
        byte[] bytes = new byte[body.length + 2];
        bytes[0] = (byte) 0xFF;
        bytes[1] = (byte) 0xFE;
        System.arraycopy(body, 0, bytes, 2, body.length);
        Files.write(file, bytes);

        Cli.Result r = new Cli(home).run("secrets", "scan", file.toString(), "--json");

        assertFoundOnce(r, 2, 9);
        assertThat(r.json().path("notices").get(0).path("detail").asString()).contains("UTF-16");
    }

    @Test
    void aFiftyMegabyteFile_isStreamed_andTheKeyOnItsLastLineFound_orReportedOverAGivenLimit() throws IOException {
        Path file = work.resolve("dump.log");
        String filler = "2026-12-06T10:00:00Z INFO request served in 12 ms for user 4411 from cache\n";
        int lines = 50 * 1024 * 1024 / filler.length() + 1;
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int i = 0; i < lines; i++) {
                w.write(filler);
            }
            w.write("export GITHUB_TOKEN=" + TOKEN);
        }
        assertThat(Files.size(file)).isGreaterThan(50L * 1024 * 1024);

        Cli.Result r = new Cli(home).run("secrets", "scan", file.toString(), "--json");

        assertFoundOnce(r, lines + 1, 21);
        assertThat(r.json().path("bytes").asLong()).isEqualTo(Files.size(file));

        Cli.Result limited = new Cli(home).run("secrets", "scan", file.toString(), "--max-size", "1000000",
                "--json");
        assertThat(limited.exit()).as(limited.all()).isEqualTo(2);
        assertThat(limited.json().path("notices").get(0).path("kind").asString()).isEqualTo("over_size");
    }

    @Test
    void aSymlinkLoopGivenAsThePath_isReported_andExitsTwo() throws IOException {
        Path a = work.resolve("a");
        Path b = work.resolve("b");
        Files.createSymbolicLink(a, b);
        Files.createSymbolicLink(b, a);

        Cli.Result r = new Cli(home).run("secrets", "scan", a.toString());

        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        assertThat(r.out()).contains(a + "  not read: a symbolic link that does not resolve: a symbolic link loop")
                .contains("0 files scanned, 0 secrets found, 1 not read");
    }

    @Test
    void symlinksAndFifosInsideAFolder_areReported_notFollowedOrOpened() throws Exception {
        Path outside = Files.createDirectory(home.resolve("outside"));
        Files.writeString(outside.resolve("env"), "GITHUB_TOKEN=" + TOKEN + "\n");
        Files.createSymbolicLink(work.resolve("linked"), outside);
        shell("mkfifo '" + work.resolve("pipe") + "'");

        Cli.Result r = new Cli(home).run("secrets", "scan", work.toString(), "--json");

        assertThat(r.exit()).as(r.all()).isEqualTo(2);
        assertThat(r.json().path("findings").isEmpty()).isTrue();
        assertThat(r.json().path("notices").valueStream().map(n -> n.path("path").asString() + " " + n.path("kind")
                .asString())).containsExactly(work.resolve("linked") + " symlink", work.resolve("pipe")
                        + " not_a_file");
    }

    @Test
    void sarifOutput_listsEachFindingWithItsRegion_andWhatWasNotReadAsAWarning() throws IOException {
        Files.writeString(work.resolve("deploy.env"), "REGION=eu\nGITHUB_TOKEN=" + TOKEN + "\n");
        Files.createSymbolicLink(work.resolve("linked.env"), work.resolve("deploy.env"));

        Cli.Result r = new Cli(home).run("secrets", "scan", work.toString(), "--format", "sarif");

        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        JsonNode run = r.json().path("runs").get(0);
        assertThat(r.json().path("version").asString()).isEqualTo("2.1.0");
        JsonNode result = run.path("results").get(0);
        assertThat(result.path("ruleId").asString()).isEqualTo("github-token");
        JsonNode location = result.path("locations").get(0).path("physicalLocation");
        assertThat(location.path("artifactLocation").path("uri").asString()).isEqualTo(work.resolve("deploy.env")
                .toUri().toString());
        assertThat(location.path("region").path("startLine").asInt()).isEqualTo(2);
        assertThat(location.path("region").path("startColumn").asInt()).isEqualTo(14);
        assertThat(run.path("tool").path("driver").path("rules").get(0).path("id").asString()).isEqualTo(
                "github-token");
        JsonNode invocation = run.path("invocations").get(0);
        assertThat(invocation.path("executionSuccessful").asBoolean()).isFalse();
        assertThat(invocation.path("toolExecutionNotifications").get(0).path("message").path("text").asString())
                .contains("not read: a symbolic link");
        assertThat(r.all()).doesNotContain(TOKEN);
    }

    /** The scan exited 1 with the token as its one finding, at this line and column, and never printed it. */
    private static void assertFoundOnce(Cli.Result r, int line, int column) {
        assertThat(r.exit()).as(r.all()).isEqualTo(1);
        assertThat(r.json().path("findings").size()).isEqualTo(1);
        JsonNode finding = r.json().path("findings").get(0);
        assertThat(finding.path("rule").asString()).isEqualTo("github-token");
        assertThat(finding.path("line").asInt()).isEqualTo(line);
        assertThat(finding.path("column").asInt()).isEqualTo(column);
        assertThat(r.all()).doesNotContain(TOKEN);
    }

    private static void shell(String command) throws IOException {
        Process p = new ProcessBuilder("bash", "-c", command).inheritIO().start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(command).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        assertThat(p.exitValue()).as(command).isZero();
    }
}
