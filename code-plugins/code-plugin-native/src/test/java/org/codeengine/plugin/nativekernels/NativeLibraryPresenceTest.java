package org.codeengine.plugin.nativekernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ServiceLoader;
import org.codeengine.api.spi.VectorKernels;
import org.junit.jupiter.api.Test;

/**
 * The build packages the library exactly when its C compiler ({@code -Dnative.cc}, gcc by default) is present; without
 * one the plugin is still found but steps aside, saying why. {@code scripts/test} runs this class in a build with the
 * compiler pointed at a missing path.
 */
class NativeLibraryPresenceTest {
    private static boolean compilerPresent() throws IOException, InterruptedException {
        String cc = System.getProperty("native.cc", "gcc");
        Process check = new ProcessBuilder("sh", "-c", "command -v \"$0\"", cc).redirectErrorStream(true).start();
        check.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        return check.waitFor() == 0;
    }

    @Test
    void theLibraryIsPackaged_exactlyWhenTheBuildHadACompiler() throws Exception {
        boolean compiler = compilerPresent();
        VectorKernels found = ServiceLoader.load(VectorKernels.class).stream().map(ServiceLoader.Provider::get)
                .filter(k -> k.name().equals("native")).findFirst().orElseThrow();

        assertThat(NativeLibrary.packaged()).as("compiler present: %s", compiler).isEqualTo(compiler);
        assertThat(found.available()).as(found.describe()).isEqualTo(compiler);
        if (!compiler) {
            assertThat(found.describe()).isEqualTo("this jar holds no native library for " + NativeLibrary
                    .platform() + " (" + NativeLibrary.resource()
                    + "): it was built without a C compiler, or not for this platform");
            MemorySegment one = MemorySegment.ofArray(new float[1]);
            assertThatThrownBy(() -> found.dot(one, one, 1)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void withoutNativeAccess_theKernelsStepAside_andSayHowToEnableIt() {
        NativeKernels denied = new NativeKernels(false, true);

        assertThat(denied.available()).isFalse();
        assertThat(denied.describe()).isEqualTo(
                "the JVM denies native access to the class path: start it with --enable-native-access=ALL-UNNAMED");
        assertThatThrownBy(denied::nop).isInstanceOf(IllegalStateException.class).hasMessageContaining(
                "--enable-native-access=ALL-UNNAMED");
    }

    @Test
    void aForcedTier_mustBeOneTheLibraryHas() {
        assertThat(Tier.parse(" AVX2 ")).isEqualTo(Tier.AVX2);
        assertThatThrownBy(() -> Tier.parse("sse9")).isInstanceOf(IllegalArgumentException.class).hasMessage(
                "codeengine.kernels.native.tier must be one of [portable, avx2, avx512] but was 'sse9'");
    }
}
