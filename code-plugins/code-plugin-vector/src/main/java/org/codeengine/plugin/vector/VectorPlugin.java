package org.codeengine.plugin.vector;

import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.VectorKernels;

/**
 * What the plugin is, shared by the provider ({@link VectorApiKernels}, loadable without the incubator module) and the
 * kernels it delegates to ({@code Simd}, which needs it).
 */
abstract class VectorPlugin implements VectorKernels {
    @Override
    public final String name() {
        return "vector";
    }

    @Override
    public final String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public final int priority() {
        return 10;
    }
}
