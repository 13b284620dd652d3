package org.codeengine.benchmarks.agents;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.CallContext;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.agents.AgentResult;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.agents.Brain;
import org.codeengine.api.agents.Budget;
import org.codeengine.api.agents.Gate;
import org.codeengine.api.agents.StopReason;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.ToolCall;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSpec;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.benchmarks.BenchServers;
import org.codeengine.benchmarks.BenchStores;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.openai.OpenAiProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A two-turn agent run (turn 1: the model asks for one tool call; turn 2: it answers) through the {@code openai}
 * plugin against a local server, with an in-memory read-only tool: {@code agent} is the whole run through
 * {@code engine.agents()} (the run row, one journal write for turn 1's reply with its call's start, the narrowed
 * permission check, schema validation, two audit entries, and one write for turn 2's answer with the call's end and
 * the run's end); {@code bare} is what a user would write without the loop: the same two provider calls and the tool
 * called directly. The loop's own overhead per turn is (agent - bare) / 2.
 *
 * <p>Target (issue 19): under 1 ms per turn on H2. Run with {@code 'AgentLoop'}; PostgreSQL at
 * {@code CODE_BENCH_PG_URL} (default 127.0.0.1:5432/test). On a loaded machine the averages swing with the load; the
 * median of {@code -bm sample} is steadier.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
public class AgentLoopBenchmark {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final CallContext CTX = new CallContext(new Principal("bench", Principal.Kind.SERVICE, Set.of(
            "admin")), null, "bench");

    @Param({"h2", "postgres"})
    public String store;

    @Param({"bare", "agent"})
    public String loop;

    private HttpServer server;
    private CodeEngine engine;
    private String schema;
    private ExpertClient client;
    private AgentSpec spec;
    private final Echo echo = new Echo();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        byte[] call = ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                + "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"echo\",\"arguments\":"
                + "\"{\\\"text\\\": \\\"hello\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}],\"usage\":"
                + "{\"prompt_tokens\":40,\"completion_tokens\":10,\"total_tokens\":50}}").getBytes(
                        StandardCharsets.UTF_8);
        byte[] answer = ("{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hello back\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":60,\"completion_tokens\":5,"
                + "\"total_tokens\":65}}").getBytes(StandardCharsets.UTF_8);
        server = BenchServers.json(body -> body.contains("\"role\":\"tool\"") ? answer : call);
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
        ProviderConfig config = new ProviderConfig(base, Secret.of("sk-bench"), Duration.ofSeconds(30), Map.of());
        client = new OpenAiProvider(Map.<String, String>of()::get).create(config);
        StoreConfig storeConfig;
        if (store.equals("h2")) {
            storeConfig = StoreConfig.h2File(Files.createTempDirectory("agent-bench").resolve("code-db"));
        } else {
            schema = "code_bench_" + UUID.randomUUID().toString().substring(0, 8);
            storeConfig = StoreConfig.jdbc(BenchStores.PG).withCredentials("postgres", null).withSchema(schema);
        }
        engine = CodeEngine.builder().store(storeConfig).unsignedAudit().toolProvider(echo).agentProvider("openai",
                config).build();
        spec = new AgentSpec("echoer", "", "You echo.", new Brain.Model("openai", "test-model"), List.of("echo"),
                Budget.DEFAULT, Gate.NONE);
    }

    @Benchmark
    public Object run() {
        if (loop.equals("agent")) {
            AgentResult result = engine.agents().run(CTX, spec, "Echo hello.").await(Duration.ofSeconds(30));
            if (result.stopReason() != StopReason.ANSWERED) {
                throw new IllegalStateException(result.detail());
            }
            return result;
        }
        List<ToolSpec> tools = List.of(new ToolSpec("echo", "Echoes.", echo.tools().getFirst().inputSchema()));
        List<ChatMessage> messages = List.of(new ChatMessage(ChatMessage.Role.SYSTEM, "You echo."), new ChatMessage(
                ChatMessage.Role.USER, "Echo hello."));
        var first = client.complete(new ChatRequest("test-model", messages, 0, 8192, List.of(), null, tools));
        ToolCall call = first.toolCalls().getFirst();
        ToolResult result = echo.call(call.name(), JSON.readTree(call.arguments()), new ToolContext(CTX));
        return client.complete(new ChatRequest("test-model", List.of(messages.get(0), messages.get(1),
                new ChatMessage(ChatMessage.Role.ASSISTANT, first.text(), first.toolCalls(), null), ChatMessage
                        .toolResult(call.id(), result.text())),
                0, 8192, List.of(), null, tools));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        engine.close();
        client.close();
        server.stop(0);
        BenchStores.dropSchema(schema);
    }

    /** A tool that answers at once with its argument. */
    static final class Echo implements ToolProvider {
        private final List<ToolDescriptor> tools = List.of(new ToolDescriptor("echo", "Echoes.", JSON.readTree(
                "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}"),
                null, ToolAnnotations.readOnly(false)));

        @Override
        public String name() {
            return "echo";
        }

        @Override
        public String apiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public List<ToolDescriptor> tools() {
            return tools;
        }

        @Override
        public ToolResult call(String tool, JsonNode arguments, ToolContext context) {
            return new ToolResult(arguments.path("text").asString(), null, false);
        }
    }
}
