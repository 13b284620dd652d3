package org.codeengine.api.spi;

import java.lang.foreign.MemorySegment;

/**
 * Numeric kernels over float32 vectors in memory segments (plain Java, Vector API, native SIMD). The engine uses the
 * available implementation with the highest priority.
 */
public interface VectorKernels extends Plugin {
    /** @return higher wins when several are available; plain Java is 0 */
    int priority();

    /** @return whether this implementation can run in this JVM on this machine */
    boolean available();

    /**
     * @param a the first vector, at least {@code dims} floats
     * @param b the second vector, at least {@code dims} floats
     * @param dims the number of floats to use; at least 1
     * @return the dot product
     */
    float dot(MemorySegment a, MemorySegment b, int dims);
}
