package org.codeengine.benchmarks.kernels;

import java.util.ServiceLoader;
import java.util.SplittableRandom;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.spi.VectorStore;
import org.codeengine.core.internal.vector.JavaKernels;

/** The kernels a suite's {@code @Param} names, and the machine limits the suites are compared with. */
public final class Kernels {
    /** The JVM flags each fork needs for the Vector API and native kernels. */
    static final String ADD_VECTOR = "--add-modules=jdk.incubator.vector";
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    private Kernels() {}

    /**
     * @param name {@code java}, {@code vector} or {@code native}
     * @return those kernels
     * @throws IllegalStateException if they are missing or not available: a benchmark never measures a fallback
     */
    public static VectorKernels byName(String name) {
        if (name.equals("java")) {
            return new JavaKernels();
        }
        VectorKernels kernels = ServiceLoader.load(VectorKernels.class).stream().map(ServiceLoader.Provider::get)
                .filter(k -> k.name().equals(name)).findFirst().orElseThrow(() -> new IllegalStateException(
                        "no kernels named " + name));
        if (!kernels.available()) {
            throw new IllegalStateException(name + " kernels are not available: " + kernels.describe());
        }
        return kernels;
    }

    /** {@return a store of random unit-length rows} */
    static VectorStore randomUnitRows(VectorStore store, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] row = new float[store.dims()];
        for (int r = 0; r < store.rows(); r++) {
            double norm = 0;
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) random.nextGaussian();
                norm += row[i] * row[i];
            }
            for (int i = 0; i < row.length; i++) {
                row[i] /= (float) Math.sqrt(norm);
            }
            store.set(r, row);
        }
        return store;
    }
}
