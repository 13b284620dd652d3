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
    /** Columns per cache block of {@link #matrix}: 64 rows of 384 floats are 96 KiB, at home in L2. */
    private static final int COLUMN_BLOCK = 64;

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
     * Blocks of {@value #COLUMN_BLOCK} columns, and in each a tile of 4 rows by 2 columns at a time: 8 running sums
     * for 6 loads per step, where one dot product at a time does 2 loads per sum.
     */
    @Override
    public void matrix(VectorStore a, VectorStore b, MemorySegment out) {
        VectorChecks.matrix(a, b, out);
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        long rowBytes = (long) a.stride() * Float.BYTES;
        int dims = a.dims();
        int n = b.rows();
        int m = a.rows();
        for (int j0 = 0; j0 < n; j0 += COLUMN_BLOCK) {
            int j1 = Math.min(n, j0 + COLUMN_BLOCK);
            int i = 0;
            for (; i + 4 <= m; i += 4) {
                int j = j0;
                for (; j + 2 <= j1; j += 2) {
                    tile(as, i * rowBytes, rowBytes, bs, j * rowBytes, dims, out, (long) i * n + j, n);
                }
                for (; j < j1; j++) {
                    for (int r = i; r < i + 4; r++) {
                        out.setAtIndex(FLOAT, (long) r * n + j, dotAt(as, r * rowBytes, bs, j * rowBytes, dims));
                    }
                }
            }
            for (; i < m; i++) {
                for (int j = j0; j < j1; j++) {
                    out.setAtIndex(FLOAT, (long) i * n + j, dotAt(as, i * rowBytes, bs, j * rowBytes, dims));
                }
            }
        }
    }

    private static void tile(MemorySegment as, long a0, long rowBytes, MemorySegment bs, long b0, int dims,
            MemorySegment out, long at, int n) {
        FloatVector s00 = FloatVector.zero(F);
        FloatVector s01 = FloatVector.zero(F);
        FloatVector s10 = FloatVector.zero(F);
        FloatVector s11 = FloatVector.zero(F);
        FloatVector s20 = FloatVector.zero(F);
        FloatVector s21 = FloatVector.zero(F);
        FloatVector s30 = FloatVector.zero(F);
        FloatVector s31 = FloatVector.zero(F);
        long a1 = a0 + rowBytes;
        long a2 = a1 + rowBytes;
        long a3 = a2 + rowBytes;
        long b1 = b0 + rowBytes;
        int k = 0;
        for (; k + W <= dims; k += W) {
            long o = (long) k * Float.BYTES;
            FloatVector y0 = load(bs, b0 + o);
            FloatVector y1 = load(bs, b1 + o);
            FloatVector x = load(as, a0 + o);
            s00 = x.fma(y0, s00);
            s01 = x.fma(y1, s01);
            x = load(as, a1 + o);
            s10 = x.fma(y0, s10);
            s11 = x.fma(y1, s11);
            x = load(as, a2 + o);
            s20 = x.fma(y0, s20);
            s21 = x.fma(y1, s21);
            x = load(as, a3 + o);
            s30 = x.fma(y0, s30);
            s31 = x.fma(y1, s31);
        }
        float[] sums = {s00.reduceLanes(VectorOperators.ADD), s01.reduceLanes(VectorOperators.ADD),
                s10.reduceLanes(VectorOperators.ADD), s11.reduceLanes(VectorOperators.ADD),
                s20.reduceLanes(VectorOperators.ADD), s21.reduceLanes(VectorOperators.ADD),
                s30.reduceLanes(VectorOperators.ADD), s31.reduceLanes(VectorOperators.ADD)};
        for (; k < dims; k++) {
            long o = (long) k * Float.BYTES;
            float y0 = bs.get(FLOAT, b0 + o);
            float y1 = bs.get(FLOAT, b1 + o);
            for (int r = 0; r < 4; r++) {
                float x = as.get(FLOAT, a0 + r * rowBytes + o);
                sums[2 * r] += x * y0;
                sums[2 * r + 1] += x * y1;
            }
        }
        for (int r = 0; r < 4; r++) {
            out.setAtIndex(FLOAT, at + (long) r * n, sums[2 * r]);
            out.setAtIndex(FLOAT, at + (long) r * n + 1, sums[2 * r + 1]);
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
