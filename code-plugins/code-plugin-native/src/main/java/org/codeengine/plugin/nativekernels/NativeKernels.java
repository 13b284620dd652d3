package org.codeengine.plugin.nativekernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.VectorChecks;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.spi.VectorStore;
import org.jspecify.annotations.Nullable;

/**
 * The native kernels, priority 20: C compiled for three SIMD tiers, the best the CPU runs chosen at start (see
 * {@link #TIER_PROPERTY} to force a lower one). Steps aside, saying why once per JVM, when the JVM denies this module
 * native access, when the jar holds no library for this platform (it was built without a C compiler), or when the
 * library fails to load.
 *
 * <p>
 * Calls that may touch the Java heap go through critical downcalls, which block the garbage collector while they run,
 * so each such call is cut to at most {@value #CHUNK} multiply-adds (or hash steps, or floats read): long batches are
 * several calls. Batches wholly off the heap (a {@link VectorStore} into a native segment) are one ordinary call; a
 * matrix bound for the heap is computed off the heap in tiles of {@value #STAGE} by {@value #STAGE} and copied in.
 */
public final class NativeKernels implements VectorKernels {
    /** The system property that forces a lower tier: {@code portable}, {@code avx2} or {@code avx512}. */
    public static final String TIER_PROPERTY = "codeengine.kernels.native.tier";
    /** The most work one critical call does; about 50 µs. */
    static final int CHUNK = 1 << 22;
    /** Rows and columns of the off-heap tiles in which a matrix bound for the Java heap is computed (1 MiB). */
    static final int STAGE = 512;
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private final boolean available;
    private final String description;

    /** Checks native access, finds the library and binds it. */
    public NativeKernels() {
        this(NativeKernels.class.getModule().isNativeAccessEnabled(), NativeLibrary.packaged());
    }

    NativeKernels(boolean nativeAccess, boolean packaged) {
        String why = whyNot(nativeAccess, packaged);
        available = why == null;
        description = why == null ? "native SIMD " + Downcalls.TIER.suffix() + ", " + Downcalls.WHY : why;
        if (why != null && REPORTED.compareAndSet(false, true)) {
            System.getLogger(NativeKernels.class.getName()).log(System.Logger.Level.WARNING,
                    "native kernels step aside: " + why);
        }
    }

    /** {@return why the kernels cannot run here, or null when they can (the library is then loaded)} */
    private static @Nullable String whyNot(boolean nativeAccess, boolean packaged) {
        Module module = NativeKernels.class.getModule();
        if (!nativeAccess) {
            return "the JVM denies native access to " + (module.isNamed() ? module.getName() : "the class path")
                    + ": start it with --enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
        }
        if (!packaged) {
            return "this jar holds no native library for " + NativeLibrary.platform() + " (" + NativeLibrary
                    .resource() + "): it was built without a C compiler, or not for this platform";
        }
        try {
            return Downcalls.TIER == null ? "no tier" : null;
        } catch (ExceptionInInitializerError | NoClassDefFoundError e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return "the native library failed to load: " + cause;
        }
    }

    private void check() {
        if (!available) {
            throw new IllegalStateException("the native kernels are not available: " + description);
        }
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public int priority() {
        return 20;
    }

    @Override
    public boolean available() {
        return available;
    }

    @Override
    public String describe() {
        return description;
    }

    /** Calls the empty native function through a critical downcall: what a call costs, for benchmarks. */
    public void nop() {
        check();
        try {
            Downcalls.NOP.invokeExact();
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public float dot(MemorySegment a, MemorySegment b, int dims) {
        check();
        VectorChecks.pair(a, b, dims);
        if (dims <= CHUNK) {
            try {
                return (float) Downcalls.DOT.invokeExact(a, b, dims);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }
        return (float) sum(Downcalls.DOT, a, b, dims);
    }

    @Override
    public float cosine(MemorySegment a, MemorySegment b, int dims) {
        check();
        VectorChecks.pair(a, b, dims);
        if (dims <= CHUNK) {
            try {
                return (float) Downcalls.COSINE.invokeExact(a, b, dims);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }
        return VectorKernels.cosineOf(sum(Downcalls.DOT, a, b, dims), sum(Downcalls.DOT, a, a, dims), sum(
                Downcalls.DOT, b, b, dims));
    }

    @Override
    public float squaredDistance(MemorySegment a, MemorySegment b, int dims) {
        check();
        VectorChecks.pair(a, b, dims);
        if (dims <= CHUNK) {
            try {
                return (float) Downcalls.DISTANCE.invokeExact(a, b, dims);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }
        return (float) sum(Downcalls.DISTANCE, a, b, dims);
    }

    /** A float kernel over a long pair, {@link #CHUNK} floats per call. */
    private static double sum(java.lang.invoke.MethodHandle kernel, MemorySegment a, MemorySegment b, int dims) {
        double total = 0;
        for (int from = 0; from < dims; from += CHUNK) {
            int n = Math.min(CHUNK, dims - from);
            long offset = (long) from * Float.BYTES;
            try {
                total += (float) kernel.invokeExact(a.asSlice(offset), b.asSlice(offset), n);
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }
        return total;
    }

    @Override
    public long hamming(MemorySegment a, MemorySegment b, int words) {
        check();
        VectorChecks.words(a, b, words);
        long total = 0;
        for (int from = 0; from < words; from += CHUNK) {
            long offset = (long) from * Long.BYTES;
            try {
                total += (long) Downcalls.HAMMING.invokeExact(a.asSlice(offset), b.asSlice(offset), Math.min(CHUNK,
                        words - from));
            } catch (Throwable e) {
                throw rethrow(e);
            }
        }
        return total;
    }

    @Override
    public void scores(MemorySegment query, VectorStore rows, MemorySegment out) {
        check();
        VectorChecks.scores(query, rows, out);
        int count = rows.rows();
        long stride = rows.stride();
        try {
            if (query.isNative() && out.isNative()) {
                Downcalls.SCORES_LONG.invokeExact(query, rows.segment(), stride, rows.dims(), count, out);
                return;
            }
            int step = Math.max(1, CHUNK / rows.dims());
            for (int from = 0; from < count; from += step) {
                Downcalls.SCORES.invokeExact(query, rows.segment().asSlice(from * stride * Float.BYTES), stride, rows
                        .dims(), Math.min(step, count - from), out.asSlice((long) from * Float.BYTES));
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void matrix(VectorStore a, VectorStore b, MemorySegment out) {
        check();
        VectorChecks.matrix(a, b, out);
        int m = a.rows();
        int n = b.rows();
        long stride = a.stride();
        try {
            if (out.isNative()) {
                Downcalls.MATRIX.invokeExact(a.segment(), b.segment(), stride, a.dims(), m, n, out);
                return;
            }
            // the C code packs b, which pays only over many rows: tiles are computed off the heap in ordinary calls
            // (the collector may run) and copied in, where critical calls into the array would be short bands
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment stage = arena.allocate((long) STAGE * STAGE * Float.BYTES, 64);
                for (int i = 0; i < m; i += STAGE) {
                    int rows = Math.min(STAGE, m - i);
                    for (int j = 0; j < n; j += STAGE) {
                        int cols = Math.min(STAGE, n - j);
                        Downcalls.MATRIX.invokeExact(a.segment().asSlice(i * stride * Float.BYTES), b.segment()
                                .asSlice(j * stride * Float.BYTES), stride, a.dims(), rows, cols, stage);
                        for (int r = 0; r < rows; r++) {
                            MemorySegment.copy(stage, (long) r * cols * Float.BYTES, out, ((long) (i + r) * n + j)
                                    * Float.BYTES, (long) cols * Float.BYTES);
                        }
                    }
                }
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    @Override
    public void minHash(int[] tokens, int[] ends, int hashes, int[] signatures) {
        check();
        VectorChecks.minHash(tokens, ends, hashes, signatures);
        MemorySegment tokenSegment = MemorySegment.ofArray(tokens);
        MemorySegment endSegment = MemorySegment.ofArray(ends);
        MemorySegment out = MemorySegment.ofArray(signatures);
        int start = 0;
        int d = 0;
        try {
            while (d < ends.length) {
                // as many whole documents as fit in one call; a document too long alone is split by hash function
                long work = (long) (ends[d] - start) * hashes;
                int next = d + 1;
                while (next < ends.length && work + (long) (ends[next] - ends[next - 1]) * hashes <= CHUNK) {
                    work += (long) (ends[next] - ends[next - 1]) * hashes;
                    next++;
                }
                int functions = work <= CHUNK
                        ? hashes
                        : Math.max(16, CHUNK / Math.max(1, ends[d] - start) / 16 * 16);
                for (int f = 0; f < hashes; f += functions) {
                    Downcalls.MINHASH.invokeExact(tokenSegment, endSegment.asSlice((long) d * Integer.BYTES),
                            next - d, start, hashes, f, Math.min(hashes, f + functions), out.asSlice((long) d * hashes
                                    * Integer.BYTES));
                }
                start = ends[next - 1];
                d = next;
            }
        } catch (Throwable e) {
            throw rethrow(e);
        }
    }

    private static RuntimeException rethrow(Throwable e) {
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException(e);
    }
}
