package org.codeengine.benchmarks.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One query against {@code rows} rows of {@code dims} floats (100,000 x 384: 154 MB, in no cache): {@code scores}
 * into an off-heap array, and {@code topK} (k = 10). Work: {@code 4·rows·stride} bytes read and {@code 2·rows·dims}
 * FLOP per call; the scan is bound by memory.
 *
 * <p>
 * Target (issue 8): at least 80% of the DRAM read bandwidth of one core ({@code code-benchmarks/limits/run.sh}
 * measures it; about 42 GB/s on AMD Zen 5).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Kernels.ADD_VECTOR, Kernels.NATIVE_ACCESS})
public class ScoresBenchmark {
    @Param({"java", "vector", "native"})
    String impl;

    @Param({"100000"})
    int rows;

    @Param({"384"})
    int dims;

    VectorKernels kernels;
    VectorStore store;
    MemorySegment query;
    MemorySegment out;
    int[] bestRows = new int[10];
    float[] bestScores = new float[10];

    @Setup
    public void setUp() {
        kernels = Kernels.byName(impl);
        Arena arena = Arena.ofAuto();
        store = Kernels.randomUnitRows(VectorStore.allocate(arena, rows, dims), 2);
        query = Kernels.randomUnitRows(VectorStore.allocate(arena, 1, dims), 3).row(0);
        out = arena.allocate((long) rows * Float.BYTES, 64);
    }

    @Benchmark
    public MemorySegment scores() {
        kernels.scores(query, store, out);
        return out;
    }

    @Benchmark
    public int topK() {
        return kernels.topK(query, store, 10, bestRows, bestScores);
    }
}
