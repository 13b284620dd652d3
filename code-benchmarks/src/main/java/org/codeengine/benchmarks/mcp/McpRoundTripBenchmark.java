package org.codeengine.benchmarks.mcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.codeengine.plugin.mcp.McpClient;
import org.codeengine.plugin.mcp.McpToolResult;
import org.jspecify.annotations.Nullable;
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
 * One MCP {@code tools/call} round trip on 127.0.0.1, from the library's {@link McpClient} to an {@link EchoServer} in
 * a child process: over Streamable HTTP (the answer as JSON) and over stdio. {@code latency} is one caller
 * (percentiles); {@code throughput} is 64 callers at once: over HTTP each its own client and session, over stdio all
 * on the one connection a stdio server has (their requests interleaved on the pipe).
 *
 * <p>
 * Target (issue 6): report median, p99, and requests per second with 64 concurrent clients on 2 cores.
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class McpRoundTripBenchmark {
    private static final JsonNode ARGUMENTS = JsonMapper.shared().createObjectNode().put("text", "hello, tools");

    /** The child process and, over stdio, the one client of it. */
    @State(Scope.Benchmark)
    public static class Server {
        @Param({"http", "stdio"})
        public String transport;

        Process process;
        @Nullable
        URI endpoint;
        @Nullable
        McpClient shared;

        @Setup(Level.Trial)
        public void start() throws IOException {
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), EchoServer.class.getName(), "--"
                            + transport);
            if (transport.equals("stdio")) {
                shared = McpClient.builder().info("code-bench", "1").connectStdio(command);
                return;
            }
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String first = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            if (first == null || !first.startsWith("endpoint ")) {
                throw new IOException("the echo server did not start: " + first);
            }
            endpoint = URI.create(first.substring("endpoint ".length()));
        }

        McpClient connect() {
            return McpClient.builder().info("code-bench", "1").connect(endpoint);
        }

        @TearDown(Level.Trial)
        public void stop() throws InterruptedException {
            if (shared != null) {
                shared.close();
            }
            if (process != null) {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** A caller: over HTTP its own client (its own session), over stdio the shared one. */
    @State(Scope.Thread)
    public static class Caller {
        McpClient client;
        boolean own;

        @Setup(Level.Trial)
        public void connect(Server server) {
            own = server.shared == null;
            client = own ? server.connect() : server.shared;
        }

        @TearDown(Level.Trial)
        public void close() {
            if (own) {
                client.close();
            }
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(1)
    public McpToolResult latency(Caller caller) {
        return call(caller);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(64)
    public McpToolResult throughput(Caller caller) {
        return call(caller);
    }

    private static McpToolResult call(Caller caller) {
        McpToolResult result = caller.client.callTool("echo", ARGUMENTS);
        if (result.isError()) {
            throw new IllegalStateException("echo failed: " + result);
        }
        return result;
    }
}
