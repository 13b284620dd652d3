package org.codeengine.plugin.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.codeengine.api.security.Principal;
import org.codeengine.plugin.mcp.McpRequestContext.InputRequest;
import org.codeengine.plugin.mcp.internal.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The tasks extension (SEP-2663) of the server on the stateless wire (2026-07-28). */
class McpServerTasksTest {
    private static final Principal ALICE = new Principal("alice", Principal.Kind.USER, Set.of());
    private static final Principal BOB = new Principal("bob", Principal.Kind.USER, Set.of());
    private static final ObjectNode NONE = Json.object().put("type", "object");

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean interrupted = new AtomicBoolean();
    private final MutableClock clock = new MutableClock();

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-07-28T10:00:00Z"));

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }

    private McpServer server(Duration ttl, int perPrincipal) {
        return McpServer.builder().clock(clock).tasks(ttl, perPrincipal).tool(McpTool.of("wait", "Waits for the test",
                NONE, (a, c) -> {
                    c.runAsTask();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        throw e;
                    }
                    return McpToolResult.text("done waiting");
                }).withTaskSupport(McpTool.TaskSupport.OPTIONAL)).tool(McpTool.of("confirm", "Asks, as a task", NONE, (
                        a, c) -> {
                    c.runAsTask();
                    ObjectNode question = Json.object().put("message", "Sure?");
                    question.putObject("requestedSchema").put("type", "object");
                    JsonNode answer = c.inputs(Map.of("sure", new InputRequest("elicitation/create", question))).get(
                            "sure");
                    return McpToolResult.text("answer: " + answer.path("action").asString());
                }).withTaskSupport(McpTool.TaskSupport.OPTIONAL)).tool(McpTool.of("only_task", "A task or nothing",
                        NONE, (a, c) -> {
                            c.runAsTask();
                            return McpToolResult.text("ran");
                        }).withTaskSupport(McpTool.TaskSupport.REQUIRED))
                .tool(McpTool.of("plain", "Never a task",
                        NONE, (a, c) -> McpToolResult.text("plain " + c.runAsTask())))
                .build();
    }

    /** {@return the answer to one request of {@code who}, whose client declares elicitation and, if asked, tasks} */
    private static JsonNode call(McpServer server, Principal who, boolean tasks, String method, ObjectNode params)
            throws Exception {
        ObjectNode capabilities = Json.object();
        capabilities.putObject("elicitation");
        if (tasks) {
            capabilities.putObject("extensions").putObject(ServerTasks.EXTENSION);
        }
        return StatelessCalls.call(server, who, capabilities, method, params);
    }

    private static ObjectNode tool(String name) {
        return Json.object().put("name", name);
    }

    private static ObjectNode task(String id) {
        return Json.object().put("taskId", id);
    }

    /** Polls {@code tasks/get} until the task's state passes {@code until}, for up to 10 seconds. */
    private static JsonNode poll(McpServer server, String id, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            JsonNode got = call(server, ALICE, true, "tasks/get", task(id)).path("result");
            if (until.test(got) || System.nanoTime() > deadline) {
                return got;
            }
            Thread.sleep(5); // polling, as a client does; the deadline bounds it
        }
    }

    @Test
    void longTool_isAnsweredWithATask_andPolledToCompletion() throws Exception {
        McpServer server = server(Duration.ofMinutes(10), 10);
        JsonNode created = call(server, ALICE, true, "tools/call", tool("wait")).path("result");
        assertThat(created.path("resultType").asString()).isEqualTo("task");
        assertThat(created.path("status").asString()).isEqualTo("working");
        assertThat(created.path("ttlMs").asLong()).isEqualTo(600_000);
        assertThat(created.has("result") || created.has("content")).isFalse();
        String id = created.path("taskId").asString();

        JsonNode working = call(server, ALICE, true, "tasks/get", task(id)).path("result");
        assertThat(working.path("status").asString()).isEqualTo("working");
        assertThat(working.path("resultType").asString()).isEqualTo("complete");
        assertThat(working.has("result")).isFalse();

        release.countDown();
        JsonNode done = poll(server, id, t -> t.path("status").asString().equals("completed"));
        assertThat(done.path("status").asString()).isEqualTo("completed");
        assertThat(done.path("result").path("content").path(0).path("text").asString()).isEqualTo("done waiting");
    }

    @Test
    void cancel_interruptsTheHandler_andTheTaskStaysCancelled() throws Exception {
        McpServer server = server(Duration.ofMinutes(10), 10);
        String id = call(server, ALICE, true, "tools/call", tool("wait")).path("result").path("taskId").asString();

        JsonNode ack = call(server, ALICE, true, "tasks/cancel", task(id)).path("result");
        assertThat(ack.properties()).extracting(Map.Entry::getKey).containsExactly("resultType");

        JsonNode cancelled = poll(server, id, t -> interrupted.get());
        assertThat(interrupted).isTrue();
        assertThat(cancelled.path("status").asString()).isEqualTo("cancelled");
        assertThat(cancelled.has("result")).isFalse();
        // cancelling again is the same empty acknowledgement
        assertThat(call(server, ALICE, true, "tasks/cancel", task(id)).path("result").path("resultType").asString())
                .isEqualTo("complete");
    }

    @Test
    void taskOfAnotherPrincipal_isNotVisible_norCancellable() throws Exception {
        McpServer server = server(Duration.ofMinutes(10), 10);
        String id = call(server, ALICE, true, "tools/call", tool("wait")).path("result").path("taskId").asString();

        for (String method : new String[]{"tasks/get", "tasks/cancel"}) {
            JsonNode refused = call(server, BOB, true, method, task(id));
            assertThat(refused.path("error").path("code").asInt()).isEqualTo(McpException.INVALID_PARAMS);
            assertThat(refused.path("error").path("message").asString()).contains("unknown task");
        }
        assertThat(call(server, ALICE, true, "tasks/get", task(id)).path("result").path("status").asString())
                .isEqualTo("working");
        release.countDown();
    }

    @Test
    void task_isForgotten_onceItsTtlHasPassed() throws Exception {
        McpServer server = server(Duration.ofMinutes(1), 10);
        release.countDown();
        String id = call(server, ALICE, true, "tools/call", tool("wait")).path("result").path("taskId").asString();
        poll(server, id, t -> t.path("status").asString().equals("completed"));

        clock.advance(Duration.ofSeconds(59));
        assertThat(call(server, ALICE, true, "tasks/get", task(id)).path("result").path("status").asString())
                .isEqualTo("completed");
        clock.advance(Duration.ofSeconds(1));
        assertThat(call(server, ALICE, true, "tasks/get", task(id)).path("error").path("code").asInt()).isEqualTo(
                McpException.INVALID_PARAMS);
    }

    @Test
    void runningTask_isCancelled_whenItsTtlPasses() throws Exception {
        McpServer server = server(Duration.ofMinutes(1), 10);
        String id = call(server, ALICE, true, "tools/call", tool("wait")).path("result").path("taskId").asString();
        clock.advance(Duration.ofMinutes(2));
        assertThat(call(server, ALICE, true, "tasks/get", task(id)).path("error").path("code").asInt()).isEqualTo(
                McpException.INVALID_PARAMS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!interrupted.get() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(interrupted).isTrue();
    }

    @Test
    void principal_holdsAtMostItsShareOfRunningTasks_andAFinishedOneMakesRoom() throws Exception {
        McpServer server = server(Duration.ofMinutes(10), 2);
        String first = call(server, ALICE, true, "tools/call", tool("wait")).path("result").path("taskId").asString();
        call(server, ALICE, true, "tools/call", tool("wait"));

        JsonNode refused = call(server, ALICE, true, "tools/call", tool("wait"));
        assertThat(refused.path("error").path("code").asInt()).isEqualTo(McpException.INVALID_REQUEST);
        assertThat(refused.path("error").path("message").asString()).contains("at most 2 tasks");
        // another principal is not crowded out
        assertThat(call(server, BOB, true, "tools/call", tool("wait")).path("result").path("resultType").asString())
                .isEqualTo("task");

        call(server, ALICE, true, "tasks/cancel", task(first));
        assertThat(call(server, ALICE, true, "tools/call", tool("wait")).path("result").path("resultType").asString())
                .isEqualTo("task");
        assertThat(call(server, ALICE, true, "tasks/get", task(first)).path("error").path("code").asInt()).isEqualTo(
                McpException.INVALID_PARAMS);
        release.countDown();
    }

    @Test
    void questionOfATask_isAnsweredByTasksUpdate() throws Exception {
        McpServer server = server(Duration.ofMinutes(10), 10);
        String id = call(server, ALICE, true, "tools/call", tool("confirm")).path("result").path("taskId").asString();
        JsonNode waiting = poll(server, id, t -> t.path("status").asString().equals("input_required"));
        assertThat(waiting.path("inputRequests").path("sure").path("method").asString()).isEqualTo(
                "elicitation/create");

        ObjectNode update = task(id);
        update.putObject("inputResponses").putObject("sure").put("action", "accept");
        JsonNode ack = call(server, ALICE, true, "tasks/update", update).path("result");
        assertThat(ack.properties()).extracting(Map.Entry::getKey).containsExactly("resultType");

        JsonNode done = poll(server, id, t -> t.path("status").asString().equals("completed"));
        assertThat(done.path("result").path("content").path(0).path("text").asString()).isEqualTo("answer: accept");
        assertThat(done.has("inputRequests")).isFalse();
    }

    @Test
    void clientWithoutTheExtension_getsPlainCalls_andMissingCapabilityForTaskOnlyToolsAndTaskMethods()
            throws Exception {
        McpServer server = server(Duration.ofMinutes(10), 10);
        release.countDown();
        JsonNode plain = call(server, ALICE, false, "tools/call", tool("wait")).path("result");
        assertThat(plain.path("resultType").asString()).isEqualTo("complete");
        assertThat(plain.path("content").path(0).path("text").asString()).isEqualTo("done waiting");

        for (JsonNode refused : new JsonNode[]{call(server, ALICE, false, "tools/call", tool("only_task")), call(
                server, ALICE, false, "tasks/get", task("any"))}) {
            assertThat(refused.path("error").path("code").asInt()).isEqualTo(McpException.MISSING_CAPABILITY);
            assertThat(refused.path("error").path("data").path("requiredCapabilities").path("extensions").has(
                    ServerTasks.EXTENSION)).isTrue();
        }
        // a tool that never runs as a task stays an ordinary call for a client that does tasks
        assertThat(call(server, ALICE, true, "tools/call", tool("plain")).path("result").path("content").path(0)
                .path("text").asString()).isEqualTo("plain false");
    }

    @Test
    void toolsList_declaresTaskSupport_andDiscoverDeclaresTheExtension() throws Exception {
        McpServer server = server(Duration.ofMinutes(10), 10);
        ArrayNode tools = (ArrayNode) call(server, ALICE, true, "tools/list", Json.object()).path("result").path(
                "tools");
        assertThat(tools.valueStream().map(t -> t.path("name").asString() + "=" + t.path("execution").path(
                "taskSupport").asString("-"))).containsExactly("wait=optional", "confirm=optional",
                        "only_task=required", "plain=-");
        assertThat(call(server, ALICE, true, "server/discover", Json.object()).path("result").path("capabilities")
                .path("extensions").has(ServerTasks.EXTENSION)).isTrue();
        assertThat(call(server, ALICE, true, "tasks/result", task("x")).path("error").path("code").asInt()).isEqualTo(
                McpException.METHOD_NOT_FOUND);
    }
}
