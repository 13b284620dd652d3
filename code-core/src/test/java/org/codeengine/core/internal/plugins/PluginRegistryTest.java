package org.codeengine.core.internal.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.PluginInfo;
import org.codeengine.api.PluginInfo.Status;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.Plugin;
import org.codeengine.core.testplugins.AlphaExpertProvider;
import org.codeengine.core.testplugins.AlphaTwinExpertProvider;
import org.codeengine.core.testplugins.BetaExpertProvider;
import org.codeengine.core.testplugins.BrokenExpertProvider;
import org.codeengine.core.testplugins.NewerMinorExpertProvider;
import org.codeengine.core.testplugins.OldApiExpertProvider;
import org.codeengine.core.testplugins.PluginLoaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {
    @TempDir
    Path dir;

    private PluginRegistry discover(Map<Class<? extends Plugin>, String> chosen, Class<?>... providers) {
        return PluginRegistry.discover(PluginLoaders.withExpertProviders(dir, providers), chosen);
    }

    private static PluginInfo info(PluginRegistry registry, String name) {
        return registry.infos().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void zeroCandidates_choosingFails_namingTheKindAndThatNoneIsPresent() {
        PluginRegistry registry = discover(Map.of());

        assertThat(registry.all(ExpertProvider.class)).isEmpty();
        assertThatThrownBy(() -> registry.choose(ExpertProvider.class, p -> true, "expert 'x'"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("no ExpertProvider plugin serves expert 'x'; present: none");
    }

    @Test
    void oneCandidate_isChosenWithoutConfiguration() {
        PluginRegistry registry = discover(Map.of(), AlphaExpertProvider.class);

        assertThat(registry.choose(ExpertProvider.class, p -> true, "expert 'x'"))
                .isInstanceOf(AlphaExpertProvider.class);
        assertThat(info(registry, "alpha")).satisfies(i -> {
            assertThat(i.kind()).isEqualTo("ExpertProvider");
            assertThat(i.status()).isEqualTo(Status.LOADED);
            assertThat(i.apiVersion()).isEqualTo("1.0");
            assertThat(i.version()).isNotBlank();
        });
    }

    @Test
    void twoCandidates_choosingFailsListingBoth_unlessConfigurationNamesOne() {
        PluginRegistry registry = discover(Map.of(), AlphaExpertProvider.class, BetaExpertProvider.class);
        assertThatThrownBy(() -> registry.choose(ExpertProvider.class, p -> true, "expert 'x'"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("several ExpertProvider plugins serve expert 'x': alpha, beta")
                .hasMessageContaining("CodeEngine.builder().plugin(ExpertProvider.class, name)");

        PluginRegistry configured = discover(Map.of(ExpertProvider.class, "beta"), AlphaExpertProvider.class,
                BetaExpertProvider.class);
        assertThat(configured.choose(ExpertProvider.class, p -> true, "expert 'x'"))
                .isInstanceOf(BetaExpertProvider.class);
    }

    @Test
    void configuredName_thatIsNotPresent_failsListingThePresentOnes() {
        PluginRegistry registry = discover(Map.of(ExpertProvider.class, "gamma"), AlphaExpertProvider.class,
                BetaExpertProvider.class);

        assertThatThrownBy(() -> registry.choose(ExpertProvider.class, p -> true, "expert 'x'"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("ExpertProvider plugin 'gamma' was chosen but is not present; present: alpha, beta");
    }

    @Test
    void configuredName_thatCannotServe_failsSayingSo() {
        PluginRegistry registry = discover(Map.of(ExpertProvider.class, "alpha"), AlphaExpertProvider.class,
                BetaExpertProvider.class);

        assertThatThrownBy(() -> registry.choose(ExpertProvider.class, p -> p.name().equals("beta"), "model m"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("ExpertProvider plugin 'alpha' was chosen but does not serve model m");
    }

    @Test
    void brokenPlugin_isReportedAndSkipped_andThePluginsAroundItStillLoad() {
        PluginRegistry registry = discover(Map.of(), AlphaExpertProvider.class, BrokenExpertProvider.class,
                BetaExpertProvider.class);

        assertThat(registry.all(ExpertProvider.class)).extracting(Plugin::name).containsExactly("alpha", "beta");
        PluginInfo broken = info(registry, BrokenExpertProvider.class.getName());
        assertThat(broken.status()).isEqualTo(Status.FAILED);
        assertThat(broken.usable()).isFalse();
        assertThat(broken.detail()).contains("failed to load").contains("cannot start: missing native library");
        assertThatThrownBy(() -> registry.choose(ExpertProvider.class, p -> p.name().equals("broken"), "x"))
                .hasMessageContaining("skipped: " + BrokenExpertProvider.class.getName());
    }

    @Test
    void pluginForAnotherMajorApiVersion_isSkipped_andANewerMinorOneLoadsWithAWarning() {
        PluginRegistry registry = discover(Map.of(), OldApiExpertProvider.class, NewerMinorExpertProvider.class);

        assertThat(info(registry, "old").status()).isEqualTo(Status.FAILED);
        assertThat(info(registry, "old").detail()).contains("built for API 0.9 but this engine has API 1.0");
        assertThat(info(registry, "newer").status()).isEqualTo(Status.LOADED_WITH_WARNING);
        assertThat(registry.all(ExpertProvider.class)).extracting(Plugin::name).containsExactly("newer");
    }

    @Test
    void secondPluginWithTheSameName_isSkipped() {
        PluginRegistry registry = discover(Map.of(), AlphaExpertProvider.class, AlphaTwinExpertProvider.class);

        assertThat(registry.all(ExpertProvider.class)).singleElement().isInstanceOf(AlphaExpertProvider.class);
        assertThat(registry.infos()).filteredOn(i -> i.status() == Status.FAILED).singleElement()
                .satisfies(i -> assertThat(i.detail()).contains(AlphaTwinExpertProvider.class.getName()));
    }
}
