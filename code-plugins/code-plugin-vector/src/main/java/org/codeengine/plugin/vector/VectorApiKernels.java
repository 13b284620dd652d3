package org.codeengine.plugin.vector;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.spi.VectorStore;
import org.jspecify.annotations.Nullable;

/**
 * The Vector API kernels, priority 10. This class touches no type of {@code jdk.incubator.vector}: when the module is
 * missing from the JVM it reports, once per JVM, how to add it, and reports itself unavailable; otherwise it hands
 * every call to {@code Simd}, loaded only then.
 */
public final class VectorApiKernels extends VectorPlugin {
    static final String MODULE = "jdk.incubator.vector";
    private static final AtomicBoolean REPORTED = new AtomicBoolean();

    private final @Nullable VectorKernels simd;
    private final String description;

    /** Looks for {@code jdk.incubator.vector} in the boot layer. */
    public VectorApiKernels() {
        this(ModuleLayer.boot().findModule(MODULE).isPresent());
    }

    VectorApiKernels(boolean modulePresent) {
        if (modulePresent) {
            this.simd = load();
            this.description = simd.describe();
        } else {
            this.simd = null;
            this.description = "the JVM lacks " + MODULE + ": start it with --add-modules " + MODULE;
            if (REPORTED.compareAndSet(false, true)) {
                System.getLogger(VectorApiKernels.class.getName()).log(System.Logger.Level.WARNING,
                        "Vector API kernels step aside: " + description);
            }
        }
    }

    private static VectorKernels load() {
        try {
            return Class.forName(VectorApiKernels.class.getPackageName() + ".Simd").asSubclass(VectorKernels.class)
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the Vector API kernels cannot be made", e);
        }
    }

    private VectorKernels simd() {
        if (simd == null) {
            throw new IllegalStateException("the Vector API kernels are not available: " + description);
        }
        return simd;
    }

    @Override
    public boolean available() {
        return simd != null;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public float dot(MemorySegment a, MemorySegment b, int dims) {
        return simd().dot(a, b, dims);
    }

    @Override
    public float cosine(MemorySegment a, MemorySegment b, int dims) {
        return simd().cosine(a, b, dims);
    }

    @Override
    public float squaredDistance(MemorySegment a, MemorySegment b, int dims) {
        return simd().squaredDistance(a, b, dims);
    }

    @Override
    public long hamming(MemorySegment a, MemorySegment b, int words) {
        return simd().hamming(a, b, words);
    }

    @Override
    public void scores(MemorySegment query, VectorStore rows, MemorySegment out) {
        simd().scores(query, rows, out);
    }

    @Override
    public void matrix(VectorStore a, VectorStore b, MemorySegment out) {
        simd().matrix(a, b, out);
    }

    @Override
    public void minHash(int[] tokens, int[] ends, int hashes, int[] signatures) {
        simd().minHash(tokens, ends, hashes, signatures);
    }
}
