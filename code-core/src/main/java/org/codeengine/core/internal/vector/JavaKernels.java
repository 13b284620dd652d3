package org.codeengine.core.internal.vector;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.VectorKernels;

/** The plain Java kernels: always available, the baseline the faster ones are measured against. */
public final class JavaKernels implements VectorKernels {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

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
    public float dot(MemorySegment a, MemorySegment b, int dims) {
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
}
