/**
 * Vector kernels on the Vector API. The JVM must resolve {@code jdk.incubator.vector} (run it with
 * {@code --add-modules jdk.incubator.vector}); without it the kernels say so once and step aside.
 */
module org.codeengine.plugin.vector {
    requires org.codeengine.api;
    requires static jdk.incubator.vector;

    provides org.codeengine.api.spi.VectorKernels with org.codeengine.plugin.vector.VectorApiKernels;
}
