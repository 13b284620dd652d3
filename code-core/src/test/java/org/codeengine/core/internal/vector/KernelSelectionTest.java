package org.codeengine.core.internal.vector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.spi.VectorKernels;
import org.codeengine.api.spi.VectorStore;
import org.junit.jupiter.api.Test;

class KernelSelectionTest {
    /** Kernels that only say who they are; selection never calls a kernel. */
    private record Fake(String name, int priority, boolean available, String describe) implements VectorKernels {
        @Override
        public String apiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public float dot(MemorySegment a, MemorySegment b, int dims) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float cosine(MemorySegment a, MemorySegment b, int dims) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float squaredDistance(MemorySegment a, MemorySegment b, int dims) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long hamming(MemorySegment a, MemorySegment b, int words) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void scores(MemorySegment query, VectorStore rows, MemorySegment out) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void matrix(VectorStore a, VectorStore b, MemorySegment out) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void minHash(int[] tokens, int[] ends, int hashes, int[] signatures) {
            throw new UnsupportedOperationException();
        }
    }

    private static final Fake VECTOR = new Fake("vector", 10, true, "Vector API");
    private static final Fake NATIVE = new Fake("native", 20, true, "native SIMD avx2");
    private static final Fake NATIVE_DENIED = new Fake("native", 20, false, "start it with --enable-native-access");

    @Test
    void choose_takesTheAvailableKernelsOfHighestPriority() {
        assertThat(KernelSelection.choose(List.of(new JavaKernels(), VECTOR, NATIVE), Optional.empty()))
                .isSameAs(NATIVE);
        assertThat(KernelSelection.choose(List.of(new JavaKernels(), NATIVE_DENIED, VECTOR), Optional.empty()))
                .isSameAs(VECTOR);
    }

    @Test
    void choose_fallsBackToPlainJava_whenNothingElseIsAvailable_orNothingIsFound() {
        assertThat(KernelSelection.choose(List.of(NATIVE_DENIED), Optional.empty()).name()).isEqualTo("java");
        assertThat(KernelSelection.choose(List.of(), Optional.empty())).isInstanceOf(JavaKernels.class);
    }

    @Test
    void choose_takesTheConfiguredKernels_overABetterPriority() {
        assertThat(KernelSelection.choose(List.of(new JavaKernels(), VECTOR, NATIVE), Optional.of("vector")))
                .isSameAs(VECTOR);
        assertThat(KernelSelection.choose(List.of(VECTOR, NATIVE), Optional.of("java")).name()).isEqualTo("java");
    }

    @Test
    void choose_rejectsConfiguredKernels_thatAreMissingOrUnavailable() {
        assertThatThrownBy(() -> KernelSelection.choose(List.of(new JavaKernels(), VECTOR), Optional.of("native")))
                .isInstanceOf(ConfigurationException.class).hasMessage(
                        "VectorKernels plugin 'native' was chosen but is not present; present: java, vector");
        assertThatThrownBy(() -> KernelSelection.choose(List.of(new JavaKernels(), NATIVE_DENIED), Optional.of(
                "native"))).isInstanceOf(ConfigurationException.class).hasMessage(
                        "VectorKernels plugin 'native' was chosen but is not available: "
                                + "start it with --enable-native-access");
    }
}
