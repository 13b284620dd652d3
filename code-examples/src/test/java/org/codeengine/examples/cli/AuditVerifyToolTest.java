package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.Test;

/** The audit log's verification as the MCP tool {@code audit_verify}, next to {@code secrets_scan}. */
class AuditVerifyToolTest {
    @Test
    void auditVerify_saysIntact_thenNamesTheFirstEntryAnEditBroke() throws SQLException {
        String db = "verify" + UUID.randomUUID().toString().replace("-", "");
        CodeEngine[] built = new CodeEngine[1];
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory(db)).toolProvider(new FaceTools(
                () -> built[0], false)).build()) {
            built[0] = engine;
            engine.security().defineRole("auditor", Set.of(Permission.parse("tool:call:*")), Set.of());
            CallContext ctx = new CallContext(new Principal("ada", Principal.Kind.USER, Set.of("auditor")), null,
                    "trace-verify");
            for (int i = 0; i < 3; i++) {
                engine.tools().call(ctx, "secrets_scan", Output.object().put("text", "nothing here " + i));
            }
            ToolDescriptor tool = engine.tools().list(ctx).stream().filter(t -> t.name().equals("audit_verify"))
                    .findFirst().orElseThrow();
            assertThat(tool.annotations().readOnly()).isTrue();
            assertThat(tool.outputSchema().path("required").toString()).contains("intact");

            ToolResult intact = engine.tools().call(ctx, "audit_verify", Output.object());
            assertThat(intact.error()).as(intact.text()).isFalse();
            assertThat(intact.structured().path("intact").asBoolean()).isTrue();
            assertThat(intact.structured().path("entries").asLong()).isGreaterThanOrEqualTo(3);
            assertThat(intact.structured().path("first_broken").isNull()).isTrue();

            long edited;
            try (Connection c = DriverManager.getConnection("jdbc:h2:mem:" + db); Statement s = c.createStatement()) {
                var rows = s.executeQuery("select min(seq) from code_audit where action = 'tool:call:secrets_scan'");
                rows.next();
                edited = rows.getLong(1);
                s.executeUpdate("update code_audit set principal = 'mallory' where seq = " + edited);
            }
            ToolResult broken = engine.tools().call(ctx, "audit_verify", Output.object());
            assertThat(broken.structured().path("intact").asBoolean()).isFalse();
            assertThat(broken.structured().path("first_broken").asLong()).isEqualTo(edited);
        }
    }
}
