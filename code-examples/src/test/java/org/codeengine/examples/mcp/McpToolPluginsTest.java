package org.codeengine.examples.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.codeengine.plugin.mcp.McpClient;
import org.codeengine.plugin.mcp.McpToolResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code code mcp serve --stdio --tools files,command}, a child process of the app, driven by the library's client and
 * by the official TypeScript SDK's: listing, a call, a refused call, a write the user confirms through elicitation, and
 * a cancelled long {@code command_run} whose process tree is gone afterwards.
 */
class McpToolPluginsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path base;
    static Path root;
    static Path home;

    @BeforeAll
    static void layOut() throws IOException {
        root = Files.createDirectories(base.resolve("root"));
        home = Files.createDirectories(base.resolve("home"));
        Files.writeString(Files.createDirectories(base.resolve("outside")).resolve("secret.txt"), "OUTSIDE-SECRET");
        Files.writeString(root.resolve("hello.txt"), "hello from the root\n");
        Files.writeString(home.resolve("config.yaml"), """
                tools:
                  command:
                    executables: [sh]
                    timeoutSeconds: 120
                """);
    }

    /** {@return the command line that starts the app's MCP server on stdio, on the module path as bin/code runs it} */
    static List<String> serve() throws IOException {
        String modulePath = Files.readString(Path.of("target/module-path.txt")).strip() + File.pathSeparator + Path.of(
                "target/classes").toAbsolutePath();
        return List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=org.codeengine.plugin.tools.files,org.codeengine.plugin.tools.command",
                "-XX:TieredStopAtLevel=1", "-p", modulePath, "-m",
                "org.codeengine.examples/org.codeengine.examples.cli.CodeApp", "--home", home.toString(), "mcp",
                "serve", "--stdio", "--tools", "files,command", "--root", root.toString());
    }

    @Test
    void libraryClient_listsCallsIsRefused_confirmsAWrite_andCancelsALongCommand() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        try (McpClient client = McpClient.builder().elicitation((message, schema) -> {
            asked.add(message);
            return JSON.createObjectNode().put("action", "accept").set("content", JSON.createObjectNode());
        }).connectStdio(serve())) {
            List<JsonNode> tools = client.listTools();
            assertThat(tools).extracting(t -> t.path("name").asString()).contains("files_read", "files_write",
                    "files_edit", "files_search", "command_run");
            JsonNode write = tools.stream().filter(t -> t.path("name").asString().equals("files_write")).findFirst()
                    .orElseThrow();
            assertThat(write.path("annotations").path("destructiveHint").asBoolean()).isTrue();
            assertThat(write.has("outputSchema")).isTrue();

            McpToolResult read = client.callTool("files_read", args("path", "hello.txt"));
            assertThat(read.isError()).isFalse();
            assertThat(read.structuredContent().path("content").asString()).isEqualTo("hello from the root\n");

            McpToolResult refused = client.callTool("files_read", args("path", "../outside/secret.txt"));
            assertThat(refused.isError()).isTrue();
            assertThat(text(refused)).contains("leads outside its root").doesNotContain("OUTSIDE-SECRET");

            McpToolResult written = client.callTool("files_write", args("path", "library.txt", "content", "hi"));
            assertThat(written.isError()).as(text(written)).isFalse();
            assertThat(asked).singleElement().asString().contains("files_write", "library.txt");
            assertThat(Files.readString(root.resolve("library.txt"))).isEqualTo("hi");

            Path pidFile = root.resolve("library-sleep.pid");
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            ObjectNode run = args("command", "sh");
            run.putArray("args").add("-c").add("sleep 300 & echo $! > library-sleep.pid; wait");
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    client.callTool("command_run", run);
                } catch (RuntimeException e) {
                    outcome.set(e);
                }
            });
            long pid = awaitPid(pidFile);
            assertThat(ProcessHandle.of(pid)).isPresent();
            caller.interrupt();
            caller.join(Duration.ofSeconds(10));
            assertThat(outcome.get()).as("the cancelled call fails for its caller").isNotNull();
            awaitGone(pid);
            assertThat(text(client.callTool("files_read", args("path", "library.txt")))).isEqualTo("hi\n");
        }
    }

    @Test
    void typescriptSdkClient_doesTheSame() throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", Path.of("mcp-sdk-client/run.sh").toAbsolutePath()
                .toString(), root.toString()));
        command.addAll(serve());
        Path log = Files.createTempFile("sdk-client", ".log");
        Process client = new ProcessBuilder(command).redirectError(log.toFile()).start();
        String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean ended = client.waitFor(4, TimeUnit.MINUTES);
        String err = Files.readString(log);
        Files.delete(log);
        assertThat(ended && client.exitValue() == 0).as("the SDK client ran: " + err).isTrue();
        JsonNode summary = JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
        assertThat(summary.path("tools").toString()).contains("files_read", "files_write", "command_run");
        assertThat(summary.path("writeAnnotations").path("destructiveHint").asBoolean()).isTrue();
        assertThat(summary.path("read").path("text").asString()).isEqualTo("hello from the root\n");
        assertThat(summary.path("refused").path("isError").asBoolean()).isTrue();
        assertThat(summary.path("refused").path("text").asString()).contains("leads outside its root")
                .doesNotContain("OUTSIDE-SECRET");
        assertThat(summary.path("write").path("isError").asBoolean()).as(summary.toString()).isFalse();
        assertThat(summary.path("asked").toString()).contains("files_write", "sdk.txt");
        assertThat(Files.readString(root.resolve("sdk.txt"))).isEqualTo("from the SDK");
        assertThat(summary.path("cancel").path("pidAliveBefore").asBoolean()).isTrue();
        assertThat(summary.path("cancel").path("outcome").asString()).startsWith("rejected");
        assertThat(summary.path("cancel").path("pidGoneAfter").asBoolean()).as(summary.toString()).isTrue();
        assertThat(summary.path("afterCancel").asString()).isEqualTo("from the SDK\n");
    }

    private static ObjectNode args(String... pairs) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i < pairs.length; i += 2) {
            node.put(pairs[i], pairs[i + 1]);
        }
        return node;
    }

    private static String text(McpToolResult result) {
        return result.content().isEmpty() ? "" : result.content().get(0).path("text").asString();
    }

    private static long awaitPid(Path file) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(file) || Files.readString(file).isBlank()) {
            assertThat(System.nanoTime()).as("the command wrote " + file).isLessThan(deadline);
            Thread.sleep(20);
        }
        return Long.parseLong(Files.readString(file).strip());
    }

    private static void awaitGone(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertThat(System.nanoTime()).as("process " + pid + " is gone").isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
