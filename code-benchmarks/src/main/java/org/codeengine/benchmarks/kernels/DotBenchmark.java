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
 * One dot product of two vectors in L1, 64-byte aligned rows of a {@link VectorStore} ({@code offset=0}) or
 * misaligned by 16 bytes ({@code offset=16}). Work: {@code 2·dims} FLOP and {@code 8·dims} bytes read per call.
 *
 * <p>
 * Targets (issue 8, for AMD Zen 5 with AVX-512 at 4.3 GHz, where C does D=1024 from L1 in about 15 ns aligned, 30 ns
 * misaligned): native at most 20 ns, Vector API at most 35 ns, plain Java reported with its ratio (about 10x).
 * {@code code-benchmarks/limits/run.sh} measures the C figure of the machine at hand.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Kernels.ADD_VECTOR, Kernels.NATIVE_ACCESS})
public class DotBenchmark {
    @Param({"java", "vector", "native"})
    String impl;

    @Param({"1024"})
    int dims;

    @Param({"0", "16"})
    int offset;

    VectorKernels kernels;
    MemorySegment a;
    MemorySegment b;

    @Setup
    public void setUp() {
        kernels = Kernels.byName(impl);
        VectorStore store = Kernels.randomUnitRows(VectorStore.allocate(Arena.ofAuto(), 2, dims + 16), 1);
        a = store.row(0).asSlice(offset, (long) dims * Float.BYTES);
        b = store.row(1).asSlice(offset, (long) dims * Float.BYTES);
    }

    @Benchmark
    public float dot() {
        return kernels.dot(a, b, dims);
    }
}
