package org.codeengine.examples.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.codeengine.plugin.mcp.McpClient;
import org.codeengine.plugin.mcp.McpToolResult;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The fixture server as a child process on stdio, driven by the library's client. */
class McpStdioTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void stdioServer_answersTools_resourcesAndPrompts_withProgress_acrossProcesses()
            throws IOException, InterruptedException {
        String modulePath = Files.readString(Path.of("target/module-path.txt")).strip() + java.io.File.pathSeparator
                + Path.of("target/classes").toAbsolutePath();
        List<String> command = List.of(ProcessHandle.current().info().command().orElseThrow(), "-p", modulePath, "-m",
                "org.codeengine.examples/org.codeengine.examples.mcp.ConformanceServer", "--stdio");
        try (McpClient client = McpClient.builder().connectStdio(command)) {
            assertThat(client.serverInfo().path("name").asString()).isEqualTo("code-conformance-server");
            List<Double> progress = new CopyOnWriteArrayList<>();
            McpToolResult result = client.callTool("test_tool_with_progress", JSON.createObjectNode(), (p,
                    params) -> progress.add(p));
            assertThat(result.isError()).isFalse();
            assertThat(progress).containsExactly(0.0, 50.0, 100.0);
            assertThat(client.readResource("test://template/77/data").get(0).path("text").asString()).contains(
                    "Data for ID: 77");
            assertThat(client.getPrompt("test_prompt_with_arguments", java.util.Map.of("arg1", "x", "arg2", "y"))
                    .path("messages").toString()).contains("arg1='x'");
            client.ping();

            // cancellation across processes: interrupting the caller sends notifications/cancelled, the handler in
            // the child stops (and counts itself), no progress follows, and the connection keeps serving
            CountDownLatch started = new CountDownLatch(1);
            List<Double> slowProgress = new CopyOnWriteArrayList<>();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    client.callTool("code_slow", JSON.createObjectNode(), (p, params) -> {
                        slowProgress.add(p);
                        started.countDown();
                    });
                } catch (RuntimeException e) {
                    outcome.set(e);
                }
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            caller.interrupt();
            caller.join(Duration.ofSeconds(5));
            assertThat(caller.isAlive()).isFalse();
            assertThat(outcome.get()).as("the cancelled call fails for its caller").isNotNull();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String count = "0";
            while (!count.equals("1") && System.nanoTime() < deadline) {
                count = client.callTool("code_cancelled", JSON.createObjectNode()).content().get(0).path("text")
                        .asString();
                Thread.sleep(20);
            }
            assertThat(count).as("code_slow calls the child saw cancelled").isEqualTo("1");
            int seen = slowProgress.size();
            Thread.sleep(200);
            assertThat(slowProgress).as("no progress after the cancellation").hasSize(seen);
            assertThat(seen).isLessThan(600);
            client.ping();
        }
    }
}
