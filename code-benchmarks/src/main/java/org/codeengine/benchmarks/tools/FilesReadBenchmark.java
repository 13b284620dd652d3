package org.codeengine.benchmarks.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.codeengine.api.CallContext;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.mcp.McpClient;
import org.codeengine.plugin.mcp.McpToolResult;
import org.codeengine.plugin.tools.files.FilesToolProvider;
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
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code files_read} of a 4 KB text file. {@code read} compares, per call: {@code readString}, the bare
 * {@code Files.readString} a host would write (the baseline); {@code provider}, the files tool itself (the path's
 * rules, openat2 beneath the root, fstat, read through FFM, UTF-8 check, line slicing, the JSON result);
 * {@code registry}, the same through the engine's registry (permission check, rate limit, schema validation, a signed
 * audit entry in the store). {@code stdio} is one {@code tools/call} of {@code files_read} over MCP on stdio to a
 * server in a child process (median and p99 from the sample).
 *
 * <p>
 * Targets (issue 24): {@code provider} under 2x {@code readString} (the confinement's cost); report {@code registry}
 * and the stdio median and p99. Measured on 2 shared cores: a loaded machine's figures are ratios, not absolutes.
 */
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FilesReadBenchmark {
    private static final JsonMapper JSON = JsonMapper.shared();
    /** 4096 bytes of text: 64 lines of 64 bytes. */
    private static final String PAGE = "x".repeat(63).concat("\n").repeat(64);

    /** A temporary root holding the 4 KB file, and the arguments that read it. */
    abstract static class Page {
        Path root;
        Path file;
        final ObjectNode arguments = JSON.createObjectNode().put("path", "page.txt");

        void layOut() throws IOException {
            root = Files.createTempDirectory("files-bench");
            file = Files.writeString(root.resolve("page.txt"), PAGE);
        }

        void remove() throws IOException {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The ways to read the page. */
    @State(Scope.Benchmark)
    public static class Files4k extends Page {
        @Param({"readString", "provider", "registry"})
        public String via;

        ToolProvider provider;
        CodeEngine engine;
        CallContext context;
        ToolContext toolContext;

        @Setup(Level.Trial)
        public void start() throws IOException {
            layOut();
            ObjectNode settings = JSON.createObjectNode();
            settings.putArray("roots").add(root.toString());
            provider = new FilesToolProvider().configured(new ToolSettings(settings, ref -> {
                throw new IllegalStateException("no secrets here");
            }, root));
            engine = FilesServer.engine(root);
            context = new CallContext(FilesServer.READER, null, "bench");
            toolContext = new ToolContext(context);
            if (!readVia(this).equals(Files.readString(file))) {
                throw new IllegalStateException(via + " does not read the file as Files.readString does");
            }
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            engine.close();
            remove();
        }
    }

    static String readVia(Files4k s) throws IOException {
        return switch (s.via) {
            case "readString" -> Files.readString(s.file);
            case "provider" -> text(s.provider.call("files_read", s.arguments, s.toolContext));
            default -> text(s.engine.tools().call(s.context, "files_read", s.arguments));
        };
    }

    private static String text(ToolResult result) {
        if (result.error()) {
            throw new IllegalStateException(result.text());
        }
        return result.text();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public String read(Files4k state) throws IOException {
        return readVia(state);
    }

    /** The child process serving the files tools on stdio, and the one client of it. */
    @State(Scope.Benchmark)
    public static class Stdio extends Page {
        McpClient client;

        @Setup(Level.Trial)
        public void start() throws IOException {
            layOut();
            client = McpClient.builder().info("code-bench", "1").connectStdio(List.of(Path.of(System.getProperty(
                    "java.home"), "bin", "java").toString(), "-Xmx256m", "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), FilesServer.class.getName(), root.toString()));
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            client.close();
            remove();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public McpToolResult stdio(Stdio state) {
        McpToolResult result = state.client.callTool("files_read", state.arguments);
        if (result.isError()) {
            throw new IllegalStateException(result.content().toString());
        }
        return result;
    }
}
