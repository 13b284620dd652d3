package org.codeengine.plugin.nativekernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.spi.VectorStore;
import org.codeengine.plugin.testkit.VectorKernelsContract;
import org.junit.jupiter.api.Test;

/**
 * The contract on the tier this JVM binds: the CPU's best in the default test run, and each tier in turn in the
 * {@code tier-*} runs of the build, which set {@value NativeKernels#TIER_PROPERTY}.
 */
class NativeKernelsTest extends VectorKernelsContract {
    private static final NativeKernels KERNELS = new NativeKernels();

    @Override
    protected VectorKernels kernels() {
        return KERNELS;
    }

    @Test
    void theBoundTier_isTheForcedOne_orTheBestTheCpuRuns() {
        String forced = System.getProperty(NativeKernels.TIER_PROPERTY);
        assertThat(KERNELS.available()).as(KERNELS.describe()).isTrue();
        if (forced == null) {
            assertThat(Downcalls.TIER).isEqualTo(Downcalls.CPU);
            assertThat(KERNELS.describe()).isEqualTo("native SIMD " + Downcalls.CPU.suffix()
                    + ", the best this CPU runs (CPUID)");
        } else {
            assumeThat(Tier.parse(forced)).as("this CPU runs up to %s", Downcalls.CPU).isLessThanOrEqualTo(
                    Downcalls.CPU);
            assertThat(Downcalls.TIER).isEqualTo(Tier.parse(forced));
            assertThat(KERNELS.describe())
                    .startsWith("native SIMD " + forced + ", forced by " + NativeKernels.TIER_PROPERTY);
        }
    }

    @Test
    void longBatchesOnTheHeap_areCutIntoShortCalls_thatAddUpToOneCallOffTheHeap() {
        SplittableRandom random = new SplittableRandom(11);
        int rows = 2 * NativeKernels.CHUNK / 384 + 7; // three critical calls
        try (Arena arena = Arena.ofConfined()) {
            VectorStore store = VectorStore.allocate(arena, rows, 384);
            float[] row = new float[384];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < 384; i++) {
                    row[i] = (float) random.nextDouble(-1, 1);
                }
                store.set(r, row);
            }
            MemorySegment query = arena.allocateFrom(ValueLayout.JAVA_FLOAT, row);
            MemorySegment offHeap = arena.allocate(4L * rows, 64);
            KERNELS.scores(query, store, offHeap);
            float[] onHeap = new float[rows];
            KERNELS.scores(MemorySegment.ofArray(row), store, MemorySegment.ofArray(onHeap));
            assertThat(onHeap).isEqualTo(offHeap.toArray(ValueLayout.JAVA_FLOAT));

            VectorStore square = store.slice(0, 2000); // tiles of STAGE x STAGE, copied to the heap
            MemorySegment matrixOffHeap = arena.allocate(4L * 2000 * 2000, 64);
            KERNELS.matrix(square, square, matrixOffHeap);
            float[] matrixOnHeap = new float[2000 * 2000];
            KERNELS.matrix(square, square, MemorySegment.ofArray(matrixOnHeap));
            assertThat(matrixOnHeap).isEqualTo(matrixOffHeap.toArray(ValueLayout.JAVA_FLOAT));
        }
    }

    @Test
    void aDocumentTooLongForOneCall_isSplitByHashFunction_withTheSameSignature() {
        int[] tokens = new SplittableRandom(12).ints(NativeKernels.CHUNK / 64 + 5).toArray(); // > CHUNK at 128
        int[] ends = {10, tokens.length - 3, tokens.length};
        int[] got = new int[3 * 128];
        KERNELS.minHash(tokens, ends, 128, got);
        int[] expected = new int[3 * 128];
        int start = 0;
        for (int d = 0; d < 3; d++) {
            for (int f = 0; f < 128; f++) {
                int least = Integer.MAX_VALUE;
                for (int t = start; t < ends[d]; t++) {
                    least = Math.min(least, VectorKernels.minHashOf(tokens[t], f));
                }
                expected[d * 128 + f] = least;
            }
            start = ends[d];
        }
        assertThat(got).containsExactly(expected);
    }

    @Test
    void anEmptyCriticalCall_returns() {
        KERNELS.nop();
        assertThat(KERNELS.priority()).isEqualTo(20);
    }
}
