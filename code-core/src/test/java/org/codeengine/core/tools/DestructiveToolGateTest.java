package org.codeengine.core.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** A tool that says it is destructive runs only once the caller confirmed, or for a role that may act unasked. */
class DestructiveToolGateTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Counts the calls that reached it: a refused call must never get here. */
    static final class Eraser implements ToolProvider {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String name() {
            return "eraser";
        }

        @Override
        public String apiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public List<ToolDescriptor> tools() {
            ObjectNode schema = JSON.createObjectNode().put("type", "object");
            schema.putObject("properties").putObject("path").put("type", "string");
            return List.of(new ToolDescriptor("erase", "Deletes a file", schema, null, ToolAnnotations.destructive(
                    true, false)), new ToolDescriptor("look", "Reads a file", schema, null,
                            ToolAnnotations.readOnly(
                                    false)));
        }

        @Override
        public ToolResult call(String tool, JsonNode arguments, ToolContext context) {
            calls.incrementAndGet();
            return new ToolResult(tool + " done", null, false);
        }
    }

    @Test
    void destructiveCall_runsOnlyWhenConfirmed_orForARoleThatMayActUnasked() {
        Eraser eraser = new Eraser();
        try (CodeEngine engine = CodeEngine.builder().store(StoreConfig.h2InMemory("gate" + UUID.randomUUID()
                .toString().replace("-", ""))).toolProvider(eraser).build()) {
            engine.security().defineRole("user", Set.of(Permission.parse("tool:call:*")), Set.of());
            engine.security().defineRole("robot", Set.of(Permission.parse("tool:call:*"), Permission.parse(
                    "tool:unconfirmed:erase")), Set.of());
            CallContext user = new CallContext(new Principal("ann", Principal.Kind.USER, Set.of("user")), null,
                    "t1");
            CallContext robot = new CallContext(new Principal("bot", Principal.Kind.SERVICE, Set.of("robot")), null,
                    "t2");
            JsonNode args = JSON.createObjectNode().put("path", "a.txt");
            List<String> asked = new ArrayList<>();

            ToolResult nobodyToAsk = engine.tools().call(user, "erase", args);
            assertThat(nobodyToAsk.error()).isTrue();
            assertThat(nobodyToAsk.text()).contains("needs the caller's confirmation", "tool:unconfirmed:erase");
            ToolResult declined = engine.tools().call(user, "erase", args, q -> asked.add(q) && false);
            assertThat(declined.text()).isEqualTo("the caller declined to run tool erase");
            assertThat(eraser.calls).hasValue(0);

            assertThat(engine.tools().call(user, "erase", args, q -> asked.add(q)).error()).isFalse();
            assertThat(asked).hasSize(2).allSatisfy(q -> assertThat(q).contains("erase", "a.txt"));
            assertThat(engine.tools().call(robot, "erase", args).error()).isFalse();
            assertThat(engine.tools().call(user, "look", args).error()).as("read-only: nobody is asked").isFalse();
            assertThat(eraser.calls).hasValue(3);
            assertThat(engine.security().audit(1, 100)).extracting(AuditEntry::action, AuditEntry::outcome)
                    .containsSubsequence(org.assertj.core.groups.Tuple.tuple("tool:call:erase",
                            AuditEntry.Outcome.FAILURE),
                            org.assertj.core.groups.Tuple.tuple("tool:call:erase",
                                    AuditEntry.Outcome.FAILURE),
                            org.assertj.core.groups.Tuple.tuple(
                                    "tool:call:erase", AuditEntry.Outcome.SUCCESS));
        }
    }

    @Test
    void settingsForAProviderNoPluginIsNamedAfter_failTheBuild_namingIt() {
        assertThatThrownBy(() -> CodeEngine.builder().store(StoreConfig.h2InMemory("gate" + UUID.randomUUID()
                .toString().replace("-", ""))).toolSettings("nosuchtools", JSON.createObjectNode()).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("'nosuchtools'");
    }
}
