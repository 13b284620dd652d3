package org.codeengine.plugin.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.codeengine.api.spi.VectorChecks;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.spi.VectorStore;

/** The kernels in the JVM's preferred vector width, loaded by {@link VectorApiKernels} when the module is there. */
final class Simd extends VectorPlugin {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int W = F.length();
    /** The bytes of one vector of floats. */
    private static final long STEP = (long) W * Float.BYTES;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED;
    /** Columns per packed block of {@link #matrix} (a multiple of 2 vectors): 64 columns of 384 floats are 96 KiB, at home in L2. */
    private static final int COLUMN_BLOCK = Math.max(64, 2 * W);

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public String describe() {
        return "Vector API, " + F.vectorBitSize() + "-bit vectors (" + W + " floats)";
    }

    @Override
    public float dot(MemorySegment a, MemorySegment b, int dims) {
        VectorChecks.pair(a, b, dims);
        return dotAt(a, 0, b, 0, dims);
    }

    private static FloatVector load(MemorySegment s, long offset) {
        return FloatVector.fromMemorySegment(F, s, offset, LE);
    }

    /** Four independent sums, so that the FMAs overlap, then one vector at a time, then the scalar tail. */
    private static float dotAt(MemorySegment a, long aOff, MemorySegment b, long bOff, int dims) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        long bytes = (long) dims * Float.BYTES;
        long o = 0;
        for (long end = bytes - bytes % (4 * STEP); o < end; o += 4 * STEP) {
            s0 = load(a, aOff + o).fma(load(b, bOff + o), s0);
            s1 = load(a, aOff + o + STEP).fma(load(b, bOff + o + STEP), s1);
            s2 = load(a, aOff + o + 2 * STEP).fma(load(b, bOff + o + 2 * STEP), s2);
            s3 = load(a, aOff + o + 3 * STEP).fma(load(b, bOff + o + 3 * STEP), s3);
        }
        for (long end = bytes - bytes % STEP; o < end; o += STEP) {
            s0 = load(a, aOff + o).fma(load(b, bOff + o), s0);
        }
        float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
        for (; o < bytes; o += Float.BYTES) {
            s += a.get(FLOAT, aOff + o) * b.get(FLOAT, bOff + o);
        }
        return s;
    }

    @Override
    public float cosine(MemorySegment a, MemorySegment b, int dims) {
        VectorChecks.pair(a, b, dims);
        FloatVector ab = FloatVector.zero(F);
        FloatVector aa = FloatVector.zero(F);
        FloatVector bb = FloatVector.zero(F);
        int i = 0;
        for (; i + W <= dims; i += W) {
            long o = (long) i * Float.BYTES;
            FloatVector x = load(a, o);
            FloatVector y = load(b, o);
            ab = x.fma(y, ab);
            aa = x.fma(x, aa);
            bb = y.fma(y, bb);
        }
        float sab = ab.reduceLanes(VectorOperators.ADD);
        float saa = aa.reduceLanes(VectorOperators.ADD);
        float sbb = bb.reduceLanes(VectorOperators.ADD);
        for (; i < dims; i++) {
            long o = (long) i * Float.BYTES;
            float x = a.get(FLOAT, o);
            float y = b.get(FLOAT, o);
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
        return VectorKernels.cosineOf(sab, saa, sbb);
    }

    @Override
    public float squaredDistance(MemorySegment a, MemorySegment b, int dims) {
        VectorChecks.pair(a, b, dims);
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * W <= dims; i += 2 * W) {
            long o = (long) i * Float.BYTES;
            long step = (long) W * Float.BYTES;
            FloatVector d0 = load(a, o).sub(load(b, o));
            FloatVector d1 = load(a, o + step).sub(load(b, o + step));
            s0 = d0.fma(d0, s0);
            s1 = d1.fma(d1, s1);
        }
        for (; i + W <= dims; i += W) {
            long o = (long) i * Float.BYTES;
            FloatVector d = load(a, o).sub(load(b, o));
            s0 = d.fma(d, s0);
        }
        float s = s0.add(s1).reduceLanes(VectorOperators.ADD);
        for (; i < dims; i++) {
            long o = (long) i * Float.BYTES;
            float d = a.get(FLOAT, o) - b.get(FLOAT, o);
            s += d * d;
        }
        return s;
    }

    /**
     * Scalar: x86 has no packed 64-bit population count below AVX-512 VPOPCNTDQ, where the Vector API's
     * {@code BIT_COUNT} falls back to slow code, while scalar {@code POPCNT} counts several words per cycle.
     */
    @Override
    public long hamming(MemorySegment a, MemorySegment b, int words) {
        VectorChecks.words(a, b, words);
        long c0 = 0;
        long c1 = 0;
        int i = 0;
        for (; i + 1 < words; i += 2) {
            long o = (long) i * Long.BYTES;
            c0 += Long.bitCount(a.get(LONG, o) ^ b.get(LONG, o));
            c1 += Long.bitCount(a.get(LONG, o + 8) ^ b.get(LONG, o + 8));
        }
        if (i < words) {
            long o = (long) i * Long.BYTES;
            c0 += Long.bitCount(a.get(LONG, o) ^ b.get(LONG, o));
        }
        return c0 + c1;
    }

    /**
     * Four rows at a time, one running sum each: every vector of the query is loaded once for four rows, and the
     * loads of four rows are in flight together, which is what a scan of rows from DRAM needs.
     */
    @Override
    public void scores(MemorySegment query, VectorStore rows, MemorySegment out) {
        VectorChecks.scores(query, rows, out);
        MemorySegment all = rows.segment();
        long rowBytes = (long) rows.stride() * Float.BYTES;
        int dims = rows.dims();
        long bytes = (long) (dims - dims % W) * Float.BYTES;
        int r = 0;
        for (; r + 4 <= rows.rows(); r += 4) {
            long r0 = r * rowBytes;
            FloatVector s0 = FloatVector.zero(F);
            FloatVector s1 = s0;
            FloatVector s2 = s0;
            FloatVector s3 = s0;
            for (long o = 0; o < bytes; o += STEP) {
                FloatVector q = load(query, o);
                s0 = load(all, r0 + o).fma(q, s0);
                s1 = load(all, r0 + rowBytes + o).fma(q, s1);
                s2 = load(all, r0 + 2 * rowBytes + o).fma(q, s2);
                s3 = load(all, r0 + 3 * rowBytes + o).fma(q, s3);
            }
            float[] sums = {s0.reduceLanes(VectorOperators.ADD), s1.reduceLanes(VectorOperators.ADD),
                    s2.reduceLanes(VectorOperators.ADD), s3.reduceLanes(VectorOperators.ADD)};
            for (long o = bytes; o < (long) dims * Float.BYTES; o += Float.BYTES) {
                float q = query.get(FLOAT, o);
                for (int i = 0; i < 4; i++) {
                    sums[i] += all.get(FLOAT, r0 + i * rowBytes + o) * q;
                }
            }
            for (int i = 0; i < 4; i++) {
                out.setAtIndex(FLOAT, r + i, sums[i]);
            }
        }
        for (; r < rows.rows(); r++) {
            out.setAtIndex(FLOAT, r, dotAt(query, 0, all, r * rowBytes, dims));
        }
    }

    /**
     * As a GEMM, like the native kernel: each block of {@value #COLUMN_BLOCK} rows of {@code b} is packed k-major
     * (the block's columns side by side), and a tile of 6 rows by 2 vectors of columns takes, per k, one broadcast of
     * {@code a[r][k]} per row and 2 loads of the packed block for 12 multiply-adds, into sums that are rows of
     * {@code out} as they stand: no horizontal adds.
     */
    @Override
    public void matrix(VectorStore a, VectorStore b, MemorySegment out) {
        VectorChecks.matrix(a, b, out);
        MemorySegment as = a.segment();
        long rowBytes = (long) a.stride() * Float.BYTES;
        int dims = a.dims();
        int m = a.rows();
        int n = b.rows();
        float[] packed = new float[dims * COLUMN_BLOCK];
        for (int j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
            int cols = Math.min(COLUMN_BLOCK, n - j0);
            pack(b.segment(), j0 * rowBytes, rowBytes, dims, cols, packed);
            for (int j = 0; j < cols; j += 2 * W) {
                long at = (long) j0 + j;
                int i = 0;
                for (; i + 6 <= m; i += 6) {
                    tile6(as, i * rowBytes, rowBytes, dims, packed, j, out, (long) i * n + at, n, cols - j);
                }
                for (; i < m; i++) {
                    tile1(as, i * rowBytes, dims, packed, j, out, (long) i * n + at, cols - j);
                }
            }
        }
    }

    private static void pack(MemorySegment bs, long from, long rowBytes, int dims, int cols, float[] packed) {
        java.util.Arrays.fill(packed, 0);
        for (int c = 0; c < cols; c++) {
            long row = from + c * rowBytes;
            for (int k = 0; k < dims; k++) {
                packed[k * COLUMN_BLOCK + c] = bs.get(FLOAT, row + (long) k * Float.BYTES);
            }
        }
    }

    private static void tile6(MemorySegment as, long a0, long rowBytes, int dims, float[] packed, int j,
            MemorySegment out, long at, int n, int cols) {
        FloatVector s00 = FloatVector.zero(F);
        FloatVector s01 = s00;
        FloatVector s10 = s00;
        FloatVector s11 = s00;
        FloatVector s20 = s00;
        FloatVector s21 = s00;
        FloatVector s30 = s00;
        FloatVector s31 = s00;
        FloatVector s40 = s00;
        FloatVector s41 = s00;
        FloatVector s50 = s00;
        FloatVector s51 = s00;
        for (int k = 0; k < dims; k++) {
            FloatVector y0 = FloatVector.fromArray(F, packed, k * COLUMN_BLOCK + j);
            FloatVector y1 = FloatVector.fromArray(F, packed, k * COLUMN_BLOCK + j + W);
            long o = a0 + (long) k * Float.BYTES;
            FloatVector x = FloatVector.broadcast(F, as.get(FLOAT, o));
            s00 = x.fma(y0, s00);
            s01 = x.fma(y1, s01);
            x = FloatVector.broadcast(F, as.get(FLOAT, o + rowBytes));
            s10 = x.fma(y0, s10);
            s11 = x.fma(y1, s11);
            x = FloatVector.broadcast(F, as.get(FLOAT, o + 2 * rowBytes));
            s20 = x.fma(y0, s20);
            s21 = x.fma(y1, s21);
            x = FloatVector.broadcast(F, as.get(FLOAT, o + 3 * rowBytes));
            s30 = x.fma(y0, s30);
            s31 = x.fma(y1, s31);
            x = FloatVector.broadcast(F, as.get(FLOAT, o + 4 * rowBytes));
            s40 = x.fma(y0, s40);
            s41 = x.fma(y1, s41);
            x = FloatVector.broadcast(F, as.get(FLOAT, o + 5 * rowBytes));
            s50 = x.fma(y0, s50);
            s51 = x.fma(y1, s51);
        }
        store(s00, s01, out, at, cols);
        store(s10, s11, out, at + n, cols);
        store(s20, s21, out, at + 2L * n, cols);
        store(s30, s31, out, at + 3L * n, cols);
        store(s40, s41, out, at + 4L * n, cols);
        store(s50, s51, out, at + 5L * n, cols);
    }

    private static void tile1(MemorySegment as, long a0, int dims, float[] packed, int j, MemorySegment out, long at,
            int cols) {
        FloatVector s0 = FloatVector.zero(F);
        FloatVector s1 = s0;
        for (int k = 0; k < dims; k++) {
            FloatVector x = FloatVector.broadcast(F, as.get(FLOAT, a0 + (long) k * Float.BYTES));
            s0 = x.fma(FloatVector.fromArray(F, packed, k * COLUMN_BLOCK + j), s0);
            s1 = x.fma(FloatVector.fromArray(F, packed, k * COLUMN_BLOCK + j + W), s1);
        }
        store(s0, s1, out, at, cols);
    }

    /** Two vectors of one row of out from float index {@code at}, as many of their floats as {@code cols} allows. */
    private static void store(FloatVector v0, FloatVector v1, MemorySegment out, long at, int cols) {
        long o = at * Float.BYTES;
        if (cols >= 2 * W) {
            v0.intoMemorySegment(out, o, LE);
            v1.intoMemorySegment(out, o + STEP, LE);
        } else {
            v0.intoMemorySegment(out, o, LE, F.indexInRange(0, cols));
            v1.intoMemorySegment(out, o + STEP, LE, F.indexInRange(W, cols));
        }
    }

    /** Vectorised over the hash functions: each lane is one function, each token one broadcast. */
    @Override
    public void minHash(int[] tokens, int[] ends, int hashes, int[] signatures) {
        VectorChecks.minHash(tokens, ends, hashes, signatures);
        IntVector lane = IntVector.zero(I).addIndex(1);
        for (int f0 = 0; f0 < hashes; f0 += I.length()) {
            IntVector function = lane.add(f0);
            IntVector multiplier = function.mul(2).add(1).mul(MINHASH_MULTIPLIER);
            IntVector increment = function.add(1).mul(MINHASH_INCREMENT);
            VectorMask<Integer> inRange = I.indexInRange(f0, hashes);
            int start = 0;
            for (int d = 0; d < ends.length; d++) {
                IntVector least = IntVector.broadcast(I, Integer.MAX_VALUE);
                for (int t = start; t < ends[d]; t++) {
                    IntVector h = multiplier.mul(tokens[t]).add(increment);
                    h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EB_CA6B);
                    h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2_AE35);
                    least = least.min(h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)));
                }
                least.intoArray(signatures, d * hashes + f0, inRange);
                start = ends[d];
            }
        }
    }
}
