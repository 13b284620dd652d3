package org.codeengine.examples.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.codeengine.plugin.mcp.McpClient;
import org.codeengine.plugin.mcp.McpToolResult;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The fixture server as a child process on stdio, driven by the library's client. */
class McpStdioTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void stdioServer_answersTools_resourcesAndPrompts_withProgress_acrossProcesses() throws IOException {
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
        }
    }
}
