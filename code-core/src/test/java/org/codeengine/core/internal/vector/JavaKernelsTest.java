package org.codeengine.core.internal.vector;

import org.codeengine.api.spi.VectorKernels;
import org.codeengine.plugin.testkit.VectorKernelsContract;

/** The plain Java kernels, the reference the others are held to, against the test kit's double-precision one. */
class JavaKernelsTest extends VectorKernelsContract {
    @Override
    protected VectorKernels kernels() {
        return new JavaKernels();
    }
}
