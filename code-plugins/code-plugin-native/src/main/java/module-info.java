/**
 * Vector kernels in C with SIMD chosen at run time (portable, AVX2 + FMA, AVX-512), called through the FFM API. The
 * JVM must allow this module native access ({@code --enable-native-access=org.codeengine.plugin.nativekernels}, or
 * {@code =ALL-UNNAMED} on the class path); without it the kernels say so once and step aside.
 */
module org.codeengine.plugin.nativekernels {
    requires org.codeengine.api;

    provides org.codeengine.api.spi.VectorKernels with org.codeengine.plugin.nativekernels.NativeKernels;
}
