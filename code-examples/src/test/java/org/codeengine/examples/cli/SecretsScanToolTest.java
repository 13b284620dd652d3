package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.Test;

/** The scanner as the MCP tool {@code secrets_scan}, called through the tool registry and its security. */
class SecretsScanToolTest {
    @Test
    void secretsScan_findsATokenInAText_withItsLine_andNeverReturnsIt() {
        CodeEngine[] built = new CodeEngine[1];
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("scan" + UUID.randomUUID()
                .toString().replace("-", ""))).toolProvider(new FaceTools(() -> built[0], false)).build()) {
            built[0] = engine;
            engine.security().defineRole("scanner", Set.of(Permission.parse("tool:call:secrets_scan")), Set.of());
            CallContext ctx = new CallContext(new Principal("ci", Principal.Kind.SERVICE, Set.of("scanner")), null,
                    "trace-scan");
            String text = "# deploy\nGITHUB_TOKEN=" + SecurityCommandsTest.TOKEN + "\n";

            ToolResult r = engine.tools().call(ctx, "secrets_scan", Output.object().put("text", text).put("source",
                    "deploy.env"));

            assertThat(r.error()).isFalse();
            assertThat(r.structured().path("count").asInt()).isEqualTo(1);
            assertThat(r.structured().path("findings").get(0).path("rule").asString()).isEqualTo("github-token");
            assertThat(r.structured().path("findings").get(0).path("line").asInt()).isEqualTo(2);
            assertThat(r.structured().path("findings").get(0).path("file").asString()).isEqualTo("deploy.env");
            assertThat(r.text()).doesNotContain(SecurityCommandsTest.TOKEN);
            assertThat(engine.tools().list(ctx)).extracting(t -> t.name()).isEqualTo(List.of("secrets_scan"));
        }
    }
}
