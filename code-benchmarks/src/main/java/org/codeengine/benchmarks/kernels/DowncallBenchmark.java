package org.codeengine.benchmarks.kernels;

import java.util.concurrent.TimeUnit;
import org.codeengine.plugin.nativekernels.NativeKernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one call into C: an empty function through the native kernels' critical downcall, as every kernel call
 * pays it. Target (issue 8): under 5 ns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {Kernels.NATIVE_ACCESS})
public class DowncallBenchmark {
    NativeKernels kernels;

    @Setup
    public void setUp() {
        kernels = (NativeKernels) Kernels.byName("native");
    }

    @Benchmark
    public void emptyCriticalCall() {
        kernels.nop();
    }
}
