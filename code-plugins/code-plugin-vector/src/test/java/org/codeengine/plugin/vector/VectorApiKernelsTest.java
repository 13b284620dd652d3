package org.codeengine.plugin.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.ServiceLoader;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.plugin.testkit.VectorKernelsContract;
import org.junit.jupiter.api.Test;

class VectorApiKernelsTest extends VectorKernelsContract {
    private static final VectorKernels KERNELS = new VectorApiKernels();

    @Override
    protected VectorKernels kernels() {
        return KERNELS;
    }

    @Test
    void kernels_areFoundByServiceLoader_withPriority10() {
        List<VectorKernels> found = ServiceLoader.load(VectorKernels.class).stream().map(ServiceLoader.Provider::get)
                .toList();
        assertThat(found).extracting(VectorKernels::name).contains("vector");
        assertThat(KERNELS.priority()).isEqualTo(10);
        assertThat(KERNELS.describe()).startsWith("Vector API, ");
    }

    @Test
    void withoutTheModule_theKernelsStepAside_andSayHowToAddIt() {
        VectorApiKernels missing = new VectorApiKernels(false);

        assertThat(missing.available()).isFalse();
        assertThat(missing.describe()).isEqualTo(
                "the JVM lacks jdk.incubator.vector: start it with --add-modules jdk.incubator.vector");
        MemorySegment one = MemorySegment.ofArray(new float[1]);
        assertThatThrownBy(() -> missing.dot(one, one, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("--add-modules jdk.incubator.vector");
    }
}
