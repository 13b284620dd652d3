package org.codeengine.benchmarks.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.spi.VectorStore;
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
 * The pairwise similarity matrix of {@code n} rows of {@code dims} floats into an off-heap matrix, on one core
 * ({@code oneCore}) and split in two bands on two ({@code twoCores}). Work: {@code 2·n²·dims} FLOP per call (the whole
 * matrix; symmetry is not used).
 *
 * <p>
 * Target (issue 8): at least 50% of the f32 FMA peak of one core with the blocked kernel (about 274 GFLOP/s on AMD Zen
 * 5 with AVX-512; {@code code-benchmarks/limits/run.sh} measures the machine at hand), and the figure on two cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Kernels.ADD_VECTOR, Kernels.NATIVE_ACCESS})
public class MatrixBenchmark {
    @Param({"java", "vector", "native"})
    String impl;

    @Param({"2048"})
    int n;

    @Param({"384"})
    int dims;

    VectorKernels kernels;
    VectorStore store;
    MemorySegment out;
    ExecutorService second;

    @Setup
    public void setUp() {
        kernels = Kernels.byName(impl);
        Arena arena = Arena.ofAuto();
        store = Kernels.randomUnitRows(VectorStore.allocate(arena, n, dims), 4);
        out = arena.allocate((long) n * n * Float.BYTES, 64);
        second = Executors.newSingleThreadExecutor();
    }

    @TearDown
    public void tearDown() {
        second.shutdownNow();
    }

    @Benchmark
    public MemorySegment oneCore() {
        kernels.matrix(store, store, out);
        return out;
    }

    @Benchmark
    public MemorySegment twoCores() {
        int half = n / 2 / 4 * 4;
        CompletableFuture<Void> lower = CompletableFuture.runAsync(() -> kernels.matrix(store.slice(half, n), store,
                out.asSlice((long) half * n * Float.BYTES)), second);
        kernels.matrix(store.slice(0, half), store, out);
        lower.join();
        return out;
    }
}
