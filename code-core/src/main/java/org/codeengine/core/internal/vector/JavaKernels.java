package org.codeengine.core.internal.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.VectorChecks;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.spi.VectorStore;

/**
 * The plain Java kernels: always available, the reference the faster ones are tested and measured against. Scalar
 * loops with four partial sums, which the JIT compiles to scalar (not packed) SIMD instructions.
 */
public final class JavaKernels implements VectorKernels {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;

    @Override
    public String name() {
        return "java";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public String describe() {
        return "plain Java, scalar loops";
    }

    @Override
    public float dot(MemorySegment a, MemorySegment b, int dims) {
        VectorChecks.pair(a, b, dims);
        return dotUnchecked(a, b, dims);
    }

    private static float dotUnchecked(MemorySegment a, MemorySegment b, int dims) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        for (; i + 3 < dims; i += 4) {
            long o = (long) i * Float.BYTES;
            s0 += a.get(FLOAT, o) * b.get(FLOAT, o);
            s1 += a.get(FLOAT, o + 4) * b.get(FLOAT, o + 4);
            s2 += a.get(FLOAT, o + 8) * b.get(FLOAT, o + 8);
            s3 += a.get(FLOAT, o + 12) * b.get(FLOAT, o + 12);
        }
        for (; i < dims; i++) {
            long o = (long) i * Float.BYTES;
            s0 += a.get(FLOAT, o) * b.get(FLOAT, o);
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public float cosine(MemorySegment a, MemorySegment b, int dims) {
        VectorChecks.pair(a, b, dims);
        float ab = 0;
        float aa = 0;
        float bb = 0;
        for (int i = 0; i < dims; i++) {
            long o = (long) i * Float.BYTES;
            float x = a.get(FLOAT, o);
            float y = b.get(FLOAT, o);
            ab += x * y;
            aa += x * x;
            bb += y * y;
        }
        return VectorKernels.cosineOf(ab, aa, bb);
    }

    @Override
    public float squaredDistance(MemorySegment a, MemorySegment b, int dims) {
        VectorChecks.pair(a, b, dims);
        float s0 = 0;
        float s1 = 0;
        int i = 0;
        for (; i + 1 < dims; i += 2) {
            long o = (long) i * Float.BYTES;
            float d0 = a.get(FLOAT, o) - b.get(FLOAT, o);
            float d1 = a.get(FLOAT, o + 4) - b.get(FLOAT, o + 4);
            s0 += d0 * d0;
            s1 += d1 * d1;
        }
        if (i < dims) {
            long o = (long) i * Float.BYTES;
            float d = a.get(FLOAT, o) - b.get(FLOAT, o);
            s0 += d * d;
        }
        return s0 + s1;
    }

    @Override
    public long hamming(MemorySegment a, MemorySegment b, int words) {
        VectorChecks.words(a, b, words);
        long bits = 0;
        for (int i = 0; i < words; i++) {
            long o = (long) i * Long.BYTES;
            bits += Long.bitCount(a.get(LONG, o) ^ b.get(LONG, o));
        }
        return bits;
    }

    @Override
    public void scores(MemorySegment query, VectorStore rows, MemorySegment out) {
        VectorChecks.scores(query, rows, out);
        for (int r = 0; r < rows.rows(); r++) {
            out.setAtIndex(FLOAT, r, dotUnchecked(query, rows.row(r), rows.dims()));
        }
    }

    @Override
    public void matrix(VectorStore a, VectorStore b, MemorySegment out) {
        VectorChecks.matrix(a, b, out);
        long at = 0;
        for (int i = 0; i < a.rows(); i++) {
            MemorySegment row = a.row(i);
            for (int j = 0; j < b.rows(); j++) {
                out.setAtIndex(FLOAT, at++, dotUnchecked(row, b.row(j), a.dims()));
            }
        }
    }

    @Override
    public void minHash(int[] tokens, int[] ends, int hashes, int[] signatures) {
        VectorChecks.minHash(tokens, ends, hashes, signatures);
        int start = 0;
        for (int d = 0; d < ends.length; d++) {
            for (int f = 0; f < hashes; f++) {
                int least = Integer.MAX_VALUE;
                for (int t = start; t < ends[d]; t++) {
                    least = Math.min(least, VectorKernels.minHashOf(tokens[t], f));
                }
                signatures[d * hashes + f] = least;
            }
            start = ends[d];
        }
    }
}
