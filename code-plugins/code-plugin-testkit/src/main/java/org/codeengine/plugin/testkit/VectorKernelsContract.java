package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.spi.VectorStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link VectorKernels} implementation passes: each kernel against a plain-Java reference that sums
 * in double precision, on random data, at every length from 1 to {@value #MAX_LENGTH}, on heap and native segments,
 * aligned and not. Float sums must agree within a relative {@value #TOLERANCE} of {@code Σ|a[i]·b[i]|} (for squared
 * distances, of the sum itself; for cosines, of {@code Σ|a[i]·b[i]| / (|a|·|b|)}); Hamming distances and MinHash
 * signatures bit for bit; top-k rows exactly on data whose sums are exact (small integers), and up to ties on random
 * data. A plugin's test extends this class and returns its kernels from {@link #kernels()}.
 */
public abstract class VectorKernelsContract {
    /** For the test class that extends the contract. */
    protected VectorKernelsContract() {}

    /** Every length from 1 to this is tested. */
    public static final int MAX_LENGTH = 1100;
    /** The relative tolerance of float sums. */
    public static final double TOLERANCE = 1e-5;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private final Arena arena = Arena.ofConfined();

    /** {@return the implementation under test; it must be available} */
    protected abstract VectorKernels kernels();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    /** The kernels are available and say what they run on. */
    @Test
    public void kernels_areAvailable_andSayWhatTheyRunOn() {
        assertThat(kernels().available()).as(kernels().describe()).isTrue();
        assertThat(kernels().describe()).isNotBlank();
        assertThat(kernels().name()).matches("[a-z0-9][a-z0-9._-]{0,62}");
    }

    /** Dot product, cosine and distance match the plain-Java reference at every length up to {@link #MAX_LENGTH}. */
    @Test
    public void dotCosineAndDistance_matchTheReference_atEveryLength() {
        SplittableRandom random = new SplittableRandom(1);
        for (int n = 1; n <= MAX_LENGTH; n++) {
            float[] x = floats(random, n);
            float[] y = floats(random, n);
            // alternate heap and native memory, aligned and misaligned by one float
            MemorySegment a = n % 2 == 0 ? MemorySegment.ofArray(x) : nativeCopy(x, n % 3);
            MemorySegment b = n % 3 == 0 ? MemorySegment.ofArray(y) : nativeCopy(y, n % 5 == 0 ? 1 : 0);
            double ab = 0;
            double abs = 0;
            double aa = 0;
            double bb = 0;
            double dd = 0;
            for (int i = 0; i < n; i++) {
                ab += (double) x[i] * y[i];
                abs += Math.abs((double) x[i] * y[i]);
                aa += (double) x[i] * x[i];
                bb += (double) y[i] * y[i];
                dd += ((double) x[i] - y[i]) * ((double) x[i] - y[i]);
            }
            assertThat((double) kernels().dot(a, b, n)).as("dot, length %d", n).isCloseTo(ab, within(abs));
            assertThat((double) kernels().squaredDistance(a, b, n)).as("squared distance, length %d", n).isCloseTo(
                    dd, within(dd));
            double norms = Math.sqrt(aa * bb);
            assertThat((double) kernels().cosine(a, b, n)).as("cosine, length %d", n).isCloseTo(ab / norms, within(
                    abs / norms + 1e-6));
        }
    }

    /** The cosine with a vector of zeros is zero. */
    @Test
    public void cosine_isZero_forAVectorOfZeros() {
        MemorySegment zeros = MemorySegment.ofArray(new float[19]);
        MemorySegment ones = MemorySegment.ofArray(filled(19, 1f));
        assertThat(kernels().cosine(zeros, ones, 19)).isZero();
        assertThat(kernels().cosine(ones, ones, 19)).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
    }

    /** Hamming distances match the reference at every length. */
    @Test
    public void hamming_matchesTheReference_atEveryLength() {
        SplittableRandom random = new SplittableRandom(2);
        for (int n = 1; n <= MAX_LENGTH; n++) {
            long[] x = random.longs(n).toArray();
            long[] y = random.longs(n).toArray();
            if (n % 4 == 0) {
                y[n / 2] = x[n / 2]; // some equal words
            }
            long expected = 0;
            for (int i = 0; i < n; i++) {
                expected += Long.bitCount(x[i] ^ y[i]);
            }
            MemorySegment a = n % 2 == 0 ? MemorySegment.ofArray(x) : arena.allocateFrom(ValueLayout.JAVA_LONG, x);
            assertThat(kernels().hamming(a, MemorySegment.ofArray(y), n)).as("length %d", n).isEqualTo(expected);
        }
    }

    /** The scores of every row match the reference at every length. */
    @Test
    public void scores_matchTheReference_atEveryLength() {
        SplittableRandom random = new SplittableRandom(3);
        for (int n = 1; n <= MAX_LENGTH; n++) {
            int m = 1 + n % 37;
            VectorStore rows = randomStore(random, m, n);
            float[] q = floats(random, n);
            MemorySegment out = n % 2 == 0 ? MemorySegment.ofArray(new float[m]) : arena.allocate(4L * m, 64);
            kernels().scores(n % 3 == 0 ? MemorySegment.ofArray(q) : nativeCopy(q, n % 2), rows, out);
            for (int r = 0; r < m; r++) {
                float[] row = rows.get(r);
                assertThat((double) out.getAtIndex(FLOAT, r)).as("length %d, row %d", n, r).isCloseTo(dot(q, row),
                        within(absDot(q, row)));
            }
        }
    }

    /** The matrix of scores matches the reference at every length. */
    @Test
    public void matrix_matchesTheReference_atEveryLength() {
        SplittableRandom random = new SplittableRandom(4);
        for (int n = 1; n <= MAX_LENGTH; n++) {
            VectorStore a = randomStore(random, 1 + n % 9, n);
            VectorStore b = randomStore(random, 1 + n % 13, n);
            checkMatrix(a, b, n);
        }
    }

    /** The matrix of scores matches the reference for every square matrix up to 40 rows. */
    @Test
    public void matrix_matchesTheReference_forEverySizeOfSquareMatrixUpTo40() {
        SplittableRandom random = new SplittableRandom(5);
        for (int rows = 0; rows <= 40; rows++) {
            VectorStore s = randomStore(random, rows, 384);
            checkMatrix(s, s, rows);
        }
    }

    /** Sizes past one block of 64 columns, with partial blocks, partial register tiles and leftover rows. */
    @Test
    public void matrix_matchesTheReference_acrossBlockEdges() {
        SplittableRandom random = new SplittableRandom(8);
        int[][] sizes = {{7, 65, 384}, {13, 133, 33}, {100, 70, 384}, {6, 128, 17}, {1, 200, 1}};
        for (int[] size : sizes) {
            checkMatrix(randomStore(random, size[0], size[2]), randomStore(random, size[1], size[2]), size[0]);
        }
    }

    /** The matrix of a band of rows equals those rows of the whole matrix. */
    @Test
    public void matrix_ofABand_equalsTheRowsOfTheWholeMatrix() {
        VectorStore s = randomStore(new SplittableRandom(6), 50, 100);
        float[] whole = new float[50 * 50];
        kernels().matrix(s, s, MemorySegment.ofArray(whole));
        float[] band = new float[14 * 50];
        kernels().matrix(s.slice(3, 17), s, MemorySegment.ofArray(band));
        for (int i = 0; i < band.length; i++) {
            float[] x = s.get(3 + i / 50);
            float[] y = s.get(i % 50);
            assertThat((double) band[i]).as("band entry %d", i).isCloseTo(whole[3 * 50 + i], within(2 * absDot(x,
                    y)));
        }
    }

    /** Top-k is exactly the reference when the sums are exact. */
    @Test
    public void topK_isExactlyTheReference_whenSumsAreExact() {
        SplittableRandom random = new SplittableRandom(7);
        int m = 9_000;
        int n = 67;
        VectorStore rows = VectorStore.allocate(arena, m, n);
        for (int r = 0; r < m; r++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = random.nextInt(-3, 4);
            }
            rows.set(r, v);
        }
        float[] q = new float[n];
        for (int i = 0; i < n; i++) {
            q[i] = random.nextInt(-3, 4);
        }
        Integer[] order = referenceOrder(rows, q);
        for (int k : new int[]{1, 5, 100, 4097, m, m + 10}) {
            int[] got = new int[k];
            float[] scores = new float[k];
            int count = kernels().topK(MemorySegment.ofArray(q), rows, k, got, scores);
            assertThat(count).isEqualTo(Math.min(k, m));
            for (int i = 0; i < count; i++) {
                assertThat(got[i]).as("k %d, place %d", k, i).isEqualTo(order[i]);
                assertThat(scores[i]).isEqualTo((float) dot(q, rows.get(order[i])));
            }
        }
    }

    /** Top-k is the reference, up to ties, on random data. */
    @Test
    public void topK_isTheReference_upToTies_onRandomData() {
        SplittableRandom random = new SplittableRandom(8);
        for (int n : new int[]{1, 3, 16, 97, 384, 1100}) {
            int m = 2_000;
            VectorStore rows = randomStore(random, m, n);
            rows.set(17, rows.get(3)); // an exact tie
            float[] q = floats(random, n);
            Integer[] order = referenceOrder(rows, q);
            int k = 50;
            int[] got = new int[k];
            float[] scores = new float[k];
            kernels().topK(MemorySegment.ofArray(q), rows, k, got, scores);
            assertThat(Arrays.stream(got).distinct().count()).isEqualTo(k);
            for (int i = 0; i < k; i++) {
                float[] mine = rows.get(got[i]);
                float[] theirs = rows.get(order[i]);
                assertThat(dot(q, mine)).as("length %d, place %d", n, i).isCloseTo(dot(q, theirs), within(absDot(q,
                        mine) + absDot(q, theirs)));
            }
        }
    }

    /** MinHash signatures are the reference, bit for bit. */
    @Test
    public void minHash_isTheReference_bitForBit() {
        SplittableRandom random = new SplittableRandom(9);
        int docs = MAX_LENGTH + 1;
        int[] ends = new int[docs];
        int total = 0;
        for (int d = 0; d < docs; d++) {
            total += d; // document d has d tokens: every length from 0 to MAX_LENGTH
            ends[d] = total;
        }
        int[] tokens = random.ints(total).toArray();
        for (int hashes : new int[]{1, 7, 16, 33, 128}) {
            int[] got = new int[docs * hashes];
            kernels().minHash(tokens, ends, hashes, got);
            int start = 0;
            for (int d = 0; d < docs; d++) {
                for (int f = 0; f < hashes; f++) {
                    int least = Integer.MAX_VALUE;
                    for (int t = start; t < ends[d]; t++) {
                        least = Math.min(least, VectorKernels.minHashOf(tokens[t], f));
                    }
                    if (got[d * hashes + f] != least) {
                        throw new AssertionError("hashes " + hashes + ", document " + d + ", function " + f
                                + ": expected " + least + " but was " + got[d * hashes + f]);
                    }
                }
                start = ends[d];
            }
        }
    }

    /** Bad input is rejected with a message naming the argument and the rule. */
    @Test
    public void badInput_isRejected_withTheArgumentAndTheRule() {
        MemorySegment four = MemorySegment.ofArray(new float[4]);
        VectorKernels k = kernels();
        assertThatThrownBy(() -> k.dot(four, four, 0)).isInstanceOf(IllegalArgumentException.class).hasMessage(
                "dims must be at least 1 but was 0");
        assertThatThrownBy(() -> k.cosine(four, MemorySegment.ofArray(new float[3]), 4)).isInstanceOf(
                IllegalArgumentException.class).hasMessage(
                        "b must hold at least 4 floats (16 bytes) but holds 12 bytes");
        assertThatThrownBy(() -> k.squaredDistance(four, four, 5)).hasMessageStartingWith("a must hold at least 5");
        assertThatThrownBy(() -> k.hamming(four, four, 3)).hasMessageStartingWith(
                "a must hold at least 3 64-bit words");
        VectorStore rows = VectorStore.allocate(arena, 3, 4);
        assertThatThrownBy(() -> k.scores(four, rows, MemorySegment.ofArray(new float[2]))).hasMessage(
                "out must hold at least 3 floats (rows.rows()) (12 bytes) but holds 8 bytes");
        assertThatThrownBy(() -> k.matrix(rows, VectorStore.allocate(arena, 3, 5), MemorySegment.ofArray(
                new float[9]))).hasMessage("b.dims() must equal a.dims() = 4 but is 5");
        assertThatThrownBy(() -> k.matrix(rows, rows, MemorySegment.ofArray(new float[8]))).hasMessageStartingWith(
                "out must hold at least 9 floats");
        assertThatThrownBy(() -> k.topK(four, rows, 0, new int[1], new float[1])).hasMessage(
                "k must be at least 1 but was 0");
        assertThatThrownBy(() -> k.topK(four, rows, 3, new int[2], new float[3])).hasMessageStartingWith(
                "outRows and outScores must hold min(k, rows.rows()) = 3");
        assertThatThrownBy(() -> k.minHash(new int[4], new int[]{3, 2}, 1, new int[2])).hasMessageStartingWith(
                "ends must be non-decreasing");
        assertThatThrownBy(() -> k.minHash(new int[4], new int[]{3, 5}, 1, new int[2])).hasMessageStartingWith(
                "ends must be non-decreasing from 0 and at most tokens.length = 4");
        assertThatThrownBy(() -> k.minHash(new int[4], new int[]{2, 4}, 3, new int[5])).hasMessage(
                "signatures must hold ends.length * hashes = 6 ints but holds 5");
        assertThatThrownBy(() -> k.minHash(new int[4], new int[]{4}, 0, new int[5])).hasMessage(
                "hashes must be at least 1 but was 0");
    }

    private void checkMatrix(VectorStore a, VectorStore b, int label) {
        int size = a.rows() * b.rows();
        MemorySegment out = label % 2 == 0
                ? MemorySegment.ofArray(new float[size])
                : arena.allocate(Math.max(4L, 4L * size), 64);
        kernels().matrix(a, b, out);
        for (int i = 0; i < a.rows(); i++) {
            float[] x = a.get(i);
            for (int j = 0; j < b.rows(); j++) {
                float[] y = b.get(j);
                assertThat((double) out.getAtIndex(FLOAT, (long) i * b.rows() + j)).as("%d: %d x %d", label, i, j)
                        .isCloseTo(dot(x, y), within(absDot(x, y)));
            }
        }
    }

    private static Integer[] referenceOrder(VectorStore rows, float[] q) {
        double[] ref = new double[rows.rows()];
        Integer[] order = new Integer[rows.rows()];
        for (int r = 0; r < rows.rows(); r++) {
            ref[r] = dot(q, rows.get(r));
            order[r] = r;
        }
        Arrays.sort(order, (x, y) -> ref[x] != ref[y] ? Double.compare(ref[y], ref[x]) : Integer.compare(x, y));
        return order;
    }

    private VectorStore randomStore(SplittableRandom random, int rows, int dims) {
        VectorStore store = VectorStore.allocate(arena, rows, dims);
        for (int r = 0; r < rows; r++) {
            store.set(r, floats(random, dims));
        }
        return store;
    }

    private MemorySegment nativeCopy(float[] values, int offsetFloats) {
        MemorySegment segment = arena.allocate(4L * (values.length + offsetFloats), 64).asSlice(4L * offsetFloats);
        MemorySegment.copy(values, 0, segment, FLOAT, 0, values.length);
        return segment;
    }

    private static float[] floats(SplittableRandom random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextDouble(-1, 1);
        }
        return v;
    }

    private static float[] filled(int n, float value) {
        float[] v = new float[n];
        Arrays.fill(v, value);
        return v;
    }

    private static double dot(float[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (double) x[i] * y[i];
        }
        return s;
    }

    private static double absDot(float[] x, float[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += Math.abs((double) x[i] * y[i]);
        }
        return s;
    }

    private static org.assertj.core.data.Offset<Double> within(double scale) {
        return org.assertj.core.data.Offset.offset(TOLERANCE * scale + 1e-30);
    }
}
