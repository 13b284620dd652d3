package org.codeengine.benchmarks.orchestrator;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The baseline a user would write for {@link SchedulingBenchmark}: the same DAG of no-op steps as
 * {@code CompletableFuture}s on virtual threads, each step running once all its dependencies have. No journal, no
 * retries, no health, no events: the floor the orchestrator's per-step overhead is measured against.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class DagBaselineBenchmark {
    @Param({"20"})
    int layers;

    @Param({"50"})
    int width;

    List<ServiceSpec> order;
    ExecutorService threads;
    final LongAdder work = new LongAdder();

    @Setup
    public void setUp() {
        DeploymentSpec spec = Dags.layered(layers, width);
        order = spec.services(); // already in dependency order
        threads = Executors.newVirtualThreadPerTaskExecutor();
    }

    @Benchmark
    public long completableFutures() {
        Map<String, CompletableFuture<Void>> done = new HashMap<>();
        for (ServiceSpec service : order) {
            CompletableFuture<?>[] deps = service.dependsOn().stream().map(done::get).toArray(
                    CompletableFuture[]::new);
            done.put(service.name(), CompletableFuture.allOf(deps).thenRunAsync(work::increment, threads));
        }
        CompletableFuture.allOf(done.values().toArray(CompletableFuture[]::new)).join();
        return work.sum();
    }

    @TearDown
    public void tearDown() {
        threads.close();
    }
}
