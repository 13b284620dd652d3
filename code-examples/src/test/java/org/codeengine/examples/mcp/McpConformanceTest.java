package org.codeengine.examples.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.codeengine.plugin.mcp.McpHttpServer;
import org.junit.jupiter.api.Test;

/**
 * Runs the official MCP conformance suite ({@code code-examples/conformance/run.sh}) against the fixture server and
 * the conformance client, in both pinned releases: 0.1.16 (the active and pending server suites, revisions up to
 * 2025-11-25) and 0.2.0-alpha.12 (what revision 2026-07-28 requires, and each extension scenario). Every server and
 * client scenario must pass but those listed with a reason in the release's baseline ({@code baseline.yml},
 * {@code baseline-0.2.yml}). The first run installs Node 22 and each release from npm into {@code ~/.cache/code}.
 */
class McpConformanceTest {
    /** Both releases, each with some 50 client scenarios that start a JVM each. */
    private static final int MINUTES = 20;

    @Test
    void officialSuite_passesEveryScenario_butTheBaselinedOnes() throws IOException, InterruptedException {
        Path module = Path.of("").toAbsolutePath();
        Path script = module.resolve("conformance/run.sh");
        assertThat(module.resolve("target/module-path.txt")).exists();
        String java = ProcessHandle.current().info().command().orElseThrow();
        try (McpHttpServer server = ConformanceServer.build().startHttp(McpHttpServer.Options.loopback(0))) {
            Path log = Files.createTempFile("mcp-conformance", ".txt");
            ProcessBuilder builder = new ProcessBuilder(List.of("bash", script.toString(), server.endpoint()
                    .toString())).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("JAVA", java);
            Process run = builder.start();
            boolean ended = run.waitFor(MINUTES, TimeUnit.MINUTES);
            if (!ended) {
                run.descendants().forEach(ProcessHandle::destroyForcibly);
                run.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            System.out.println(output);
            assertThat(ended).as("the suite ended within " + MINUTES + " minutes").isTrue();
            assertThat(run.exitValue()).as(output).isZero();
            assertThat(output).contains("MCP conformance passed");
        }
    }
}
