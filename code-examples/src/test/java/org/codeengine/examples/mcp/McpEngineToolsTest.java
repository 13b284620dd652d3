package org.codeengine.examples.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.mcp.McpClient;
import org.codeengine.plugin.mcp.McpHttpServer;
import org.codeengine.plugin.mcp.McpServer;
import org.codeengine.plugin.mcp.McpToolResult;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** An MCP server's tools in CODE's registry, and the registry served over MCP: both ways behind CODE's security. */
class McpEngineToolsTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void remoteTools_areCalledThroughSecurity_andAudited_inBothDirections() {
        try (McpHttpServer remote = ConformanceServer.build().startHttp(McpHttpServer.Options.loopback(0));
                McpClient client = McpClient.builder().connect(remote.endpoint());
                CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("mcp" + UUID.randomUUID()
                        .toString().replace("-", ""))).toolProvider(client.asToolProvider("fixture")).build()) {
            engine.security().defineRole("texter", Set.of(Permission.parse("tool:call:test_simple_text"),
                    Permission.parse("tool:call:test_sampling")), Set.of());
            Principal alice = new Principal("alice", Principal.Kind.SERVICE, Set.of("texter"));
            CallContext ctx = new CallContext(alice, null, "trace-1");

            assertThat(engine.tools().list(ctx)).extracting(t -> t.name()).containsExactlyInAnyOrder(
                    "test_simple_text", "test_sampling");
            ToolResult ok = engine.tools().call(ctx, "test_simple_text", JSON.createObjectNode());
            assertThat(ok.text()).isEqualTo("This is a simple text response for testing.");
            assertThatThrownBy(() -> engine.tools().call(ctx, "test_error_handling", JSON.createObjectNode()))
                    .isInstanceOf(PolicyDeniedException.class);
            ToolResult invalid = engine.tools().call(ctx, "test_sampling", JSON.createObjectNode());
            assertThat(invalid.error()).isTrue();
            assertThat(invalid.text()).contains("'prompt' is required");

            List<AuditEntry> audit = engine.security().audit(1, 100);
            assertThat(audit).extracting(AuditEntry::action, AuditEntry::outcome).contains(
                    org.assertj.core.groups.Tuple.tuple("tool:call:test_simple_text", AuditEntry.Outcome.SUCCESS),
                    org.assertj.core.groups.Tuple.tuple("tool:call:test_error_handling", AuditEntry.Outcome.DENIED),
                    org.assertj.core.groups.Tuple.tuple("tool:call:test_sampling", AuditEntry.Outcome.FAILURE));

            // the registry served over MCP again: the session's principal needs the same permissions
            McpServer bridge = McpServer.builder().info("code-tools", "1").registry(engine.tools()).defaultPrincipal(
                    alice).build();
            try (McpHttpServer served = bridge.startHttp(McpHttpServer.Options.loopback(0));
                    McpClient second = McpClient.builder().connect(served.endpoint())) {
                assertThat(second.listTools()).hasSize(2);
                McpToolResult viaMcp = second.callTool("test_simple_text", JSON.createObjectNode());
                assertThat(viaMcp.content().get(0).path("text").asString()).contains("simple text response");
                McpToolResult denied = second.callTool("test_error_handling", JSON.createObjectNode());
                assertThat(denied.isError()).isTrue();
            }
        }
    }
}
