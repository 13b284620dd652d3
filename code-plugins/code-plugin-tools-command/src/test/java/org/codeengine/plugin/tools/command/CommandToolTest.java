package org.codeengine.plugin.tools.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.codeengine.api.CallContext;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** command_run through the engine's registry: argv only, the allow-list, and process trees that end with the run. */
class CommandToolTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path root;
    static CodeEngine engine;
    static CallContext robot;

    @BeforeAll
    static void start() throws IOException {
        Files.createDirectories(root.resolve("work"));
        ObjectNode settings = JSON.createObjectNode().put("timeoutSeconds", 2).put("maxOutputBytes", 1000);
        settings.putArray("executables").add("echo").add("sh").add("env").add("seq");
        settings.putArray("roots").add(root.resolve("work").toString());
        settings.putArray("env").add("PATH");
        engine = CodeEngine.builder().store(StoreConfig.h2InMemory("cmd" + UUID.randomUUID().toString().replace("-",
                ""))).toolSettings("command", settings).build();
        engine.security().defineRole("robot", Set.of(Permission.parse("tool:call:*"), Permission.parse(
                "tool:unconfirmed:*")), Set.of());
        robot = new CallContext(new Principal("robot", Principal.Kind.SERVICE, Set.of("robot")), null, "t");
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    static ObjectNode run(String command, String... args) {
        ObjectNode node = JSON.createObjectNode().put("command", command);
        ArrayNode array = node.putArray("args");
        for (String arg : args) {
            array.add(arg);
        }
        return node;
    }

    private ToolResult call(ObjectNode args) {
        return engine.tools().call(robot, "command_run", args);
    }

    @Test
    void anUnconfiguredProvider_answersLikeTheOtherCatalogueProviders_andKnowsOnlyItsOwnTool() {
        CommandToolProvider unconfigured = new CommandToolProvider();
        ToolResult result = unconfigured.call("command_run", run("echo", "hi"), new ToolContext(robot));
        assertThat(result.error()).isTrue();
        assertThat(result.text()).isEqualTo(unconfigured.unavailable().orElse("the command tools are not configured"));
        assertThatThrownBy(() -> unconfigured.call("command_sh", run("echo"), new ToolContext(robot))).isInstanceOf(
                NotFoundException.class).hasMessage("the command tools have no tool 'command_sh'");
    }

    @Test
    void shellMetacharacters_reachTheProgramAsTheyAre() {
        List<String> hostile = List.of("$(id)", "; touch pwned", "`whoami`", "a|b", "*", "'q'", "\"d\"", "&&",
                ">pwned", "$HOME", "~");
        ToolResult result = call(run("echo", hostile.toArray(String[]::new)));
        assertThat(result.error()).isFalse();
        assertThat(result.structured().path("stdout").asString()).isEqualTo(String.join(" ", hostile) + "\n");
        assertThat(root.resolve("work/pwned")).doesNotExist();
    }

    @Test
    void aProgramOffTheAllowList_isRefused_howeverItIsNamed() {
        for (String command : List.of("bash", "/bin/bash", "../../bin/sh", "/usr/bin/id", "echo ")) {
            ToolResult result = call(run(command, "-c", "id"));
            assertThat(result.error()).isTrue();
            assertThat(result.text()).startsWith("command '" + command + "' is not on the allow-list");
        }
        assertThatThrownBy(() -> CodeEngine.builder().store(StoreConfig.h2InMemory("c" + UUID.randomUUID()
                .toString().replace("-", ""))).toolSettings("command", JSON.readTree(
                        "{\"executables\": [\"no-such-program-here\"]}"))
                .build()).isInstanceOf(
                        ConfigurationException.class)
                .hasMessageContaining(
                        "'no-such-program-here' is not an executable file on the PATH");
    }

    @Test
    void environment_workingDirectory_andOutput_areBounded() throws IOException {
        String env = call(run("env")).structured().path("stdout").asString();
        assertThat(env.lines()).allMatch(l -> l.startsWith("PATH="));
        ToolResult outside = call(run("echo").put("cwd", ".."));
        assertThat(outside.text()).startsWith("cwd '..' lies outside the roots");
        Files.createSymbolicLink(root.resolve("work/out"), root);
        assertThat(call(run("echo").put("cwd", "out")).text()).startsWith("cwd 'out' lies outside the roots");
        ToolResult long_ = call(run("seq", "1", "100000"));
        assertThat(long_.structured().path("stdout").asString()).hasSize(1000);
        assertThat(long_.text()).endsWith("[truncated: at most 1000 bytes of each stream]");
        assertThat(call(run("sh", "-c", "exit 3")).structured().path("exitCode").asInt()).isEqualTo(3);
    }

    @Test
    void onTimeout_theChildAndTheGrandchildrenItForked_areKilled() throws Exception {
        // one grandchild stays the child's; the other is orphaned at once (its parent subshell exits)
        ToolResult result = call(run("sh", "-c", "sleep 300 & echo $! > kid.pid; (sleep 300 & echo $! > orphan.pid);"
                + " wait").put("timeoutSeconds", 1));
        assertThat(result.error()).isTrue();
        assertThat(result.text()).startsWith("command 'sh' ran past its timeout of 1 s; it and every process it "
                + "started were killed");
        assertGone(root.resolve("work/kid.pid"));
        assertGone(root.resolve("work/orphan.pid"));
    }

    @Test
    void onCancellation_theCallEnds_andItsProcessTreeIsKilled() throws Exception {
        Files.deleteIfExists(root.resolve("work/cancel.pid"));
        AtomicReference<ToolResult> outcome = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> outcome.set(call(run("sh", "-c",
                "sleep 300 & echo $! > cancel.pid; wait").put("timeoutSeconds", 60))));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(root.resolve("work/cancel.pid")) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        caller.interrupt();
        caller.join(Duration.ofSeconds(10));
        assertThat(caller.isAlive()).isFalse();
        assertThat(outcome.get().text()).startsWith("command 'sh' was cancelled");
        assertGone(root.resolve("work/cancel.pid"));
    }

    /** Waits up to 5 s for the process whose pid the file holds to be gone. */
    static void assertGone(Path pidFile) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!Files.exists(pidFile) || Files.readString(pidFile).isBlank()) {
            assertThat(System.nanoTime()).as("the pid file " + pidFile + " appears").isLessThan(deadline);
            Thread.sleep(10);
        }
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertThat(System.nanoTime()).as("process " + pid + " is gone").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
