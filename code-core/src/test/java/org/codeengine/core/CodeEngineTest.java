package org.codeengine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.PluginInfo;
import org.codeengine.api.PluginInfo.Status;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.spi.StoreProvider;
import org.codeengine.core.testplugins.AlphaExpertProvider;
import org.codeengine.core.testplugins.BrokenExpertProvider;
import org.codeengine.core.testplugins.PluginLoaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeEngineTest {
    private static StoreConfig memory() {
        return StoreConfig.h2InMemory("e" + UUID.randomUUID().toString().replace("-", ""));
    }

    @Test
    void build_discoversPlugins_opensTheStore_andClosesOnce() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-24T00:00:00Z"), ZoneOffset.UTC);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        CodeEngine engine = CodeEngine.builder().clock(clock).meterRegistry(registry).store(memory()).build();
        try (engine) {
            assertThat(engine.plugins()).extracting(PluginInfo::kind, PluginInfo::name, PluginInfo::status)
                    .contains(org.assertj.core.groups.Tuple.tuple("StoreProvider", "h2", Status.LOADED),
                            org.assertj.core.groups.Tuple.tuple("StoreProvider", "postgres", Status.LOADED));
            assertThat(engine.store().provider()).isEqualTo("h2");
            assertThat(engine.store().schemaVersion()).isEqualTo("14");
            assertThat(engine.clock()).isSameAs(clock);
            assertThat(registry.find("hikaricp.connections.max").gauge()).as("pool metrics").isNotNull();
        }
        assertThat(engine.isClosed()).isTrue();
        engine.close();
        assertThat(engine.isClosed()).isTrue();
    }

    @Test
    void build_withoutAnAuditKey_warnsOnceThatTheLogIsUnsigned_unlessTheHostAcceptsIt(@TempDir Path dir) {
        String warned = stderrOf(() -> CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("a"))).build()
                .close());
        assertThat(warned).containsOnlyOnce("is unsigned").contains("auditSigningKey").contains(".unsignedAudit()");
        assertThat(stderrOf(() -> CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("b"))).unsignedAudit()
                .build().close())).doesNotContain("unsigned");
    }

    /** {@return what {@code action} wrote to standard error, where the test log (slf4j-simple) goes} */
    private static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void build_withABrokenPluginOnThePath_reportsItAndStillWorks(@TempDir Path dir) {
        try (CodeEngine engine = CodeEngine.builder().store(memory())
                .pluginClassLoader(PluginLoaders.withExpertProviders(dir, BrokenExpertProvider.class,
                        AlphaExpertProvider.class))
                .build()) {
            assertThat(engine.plugins()).filteredOn(p -> p.kind().equals("ExpertProvider"))
                    .extracting(PluginInfo::name, PluginInfo::status)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(BrokenExpertProvider.class.getName(),
                            Status.FAILED), org.assertj.core.groups.Tuple.tuple("alpha", Status.LOADED));
        }
    }

    @Test
    void build_withAUrlNoPluginAccepts_failsNamingTheUrlAndThePresentProviders() {
        StoreConfig unknown = StoreConfig.jdbc("jdbc:nosuchdb://127.0.0.1/x?password=hunter2");

        assertThatThrownBy(() -> CodeEngine.builder().store(unknown).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("no StoreProvider plugin serves jdbcUrl jdbc:nosuchdb://127.0.0.1/x?password=***;"
                        + " present: h2, postgres")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void build_withNoStorePluginOnThePath_failsNamingThePluginToAdd_notANullPointer() {
        CodeEngine.Builder bare = CodeEngine.builder().pluginClassLoader(PluginLoaders.withoutStoreProviders());

        assertThatThrownBy(bare::build).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("no StoreProvider plugin serves jdbcUrl jdbc:h2:file:")
                .hasMessageEndingWith("; present: none; add org.codeengine:code-plugin-h2 (embedded H2, the default"
                        + " store) to the class path or module path");
        assertThatThrownBy(() -> bare.survey().storeProvider()).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("add org.codeengine:code-plugin-h2");
        assertThatThrownBy(() -> CodeEngine.builder().pluginClassLoader(PluginLoaders.withoutStoreProviders())
                .store(StoreConfig.jdbc("jdbc:postgresql://127.0.0.1:5432/code")).build())
                .isInstanceOf(ConfigurationException.class).hasMessageEndingWith(
                        "; present: none; add org.codeengine:code-plugin-postgres to the class path or module path");
    }

    @Test
    void theDefaultStore_isAnH2File_whenTheH2PluginIsPresent() {
        PluginSurvey survey = CodeEngine.builder().survey();

        assertThat(survey.storeProvider()).isEqualTo("h2");
        assertThat(survey.storeUrl()).isEqualTo(StoreConfig.defaultFile().redactedUrl()).startsWith("jdbc:h2:file:")
                .endsWith("code-db");
    }

    @Test
    void build_withADatabaseThatDoesNotAnswer_failsRetriably_withoutThePassword() {
        StoreConfig down = StoreConfig.jdbc("jdbc:postgresql://127.0.0.1:1/code?connectTimeout=2")
                .withCredentials("code", Secret.of("hunter2"));

        assertThatThrownBy(() -> CodeEngine.builder().store(down).build()).isInstanceOf(UnavailableException.class)
                .hasMessageStartingWith("cannot open the store at jdbc:postgresql://127.0.0.1:1/code")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void build_withAChosenStoreProviderThatRejectsTheUrl_failsSayingSo() {
        assertThatThrownBy(() -> CodeEngine.builder().store(memory()).plugin(StoreProvider.class, "postgres")
                .build()).isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith(
                        "StoreProvider plugin 'postgres' was chosen but does not serve jdbcUrl jdbc:h2:mem:");
    }

    @Test
    void builder_rejectsBadArguments_namingThem() {
        CodeEngine.Builder builder = CodeEngine.builder();
        assertThatThrownBy(() -> builder.clock(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clock must not be null");
        assertThatThrownBy(() -> builder.store(null)).hasMessage("store must not be null");
        assertThatThrownBy(() -> builder.plugin(StoreProvider.class, " ")).hasMessage("name must not be blank");
        assertThatThrownBy(() -> builder.plugin(org.codeengine.api.spi.Plugin.class, "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("kind must be one of");
    }

    @Test
    void storeConfig_neverPrintsItsPassword() {
        StoreConfig config = StoreConfig.jdbc("jdbc:postgresql://db/code?user=u&password=s3cr3t-url")
                .withCredentials("u", Secret.of("s3cr3t-field"));

        assertThat(config.toString()).doesNotContain("s3cr3t").contains("password=***").contains("[redacted]");
        assertThat(config.redactedUrl()).doesNotContain("s3cr3t");
    }

    @Test
    void vectorKernels_areTheBestAvailable_orTheConfiguredOnes() {
        try (CodeEngine engine = CodeEngine.builder().store(memory()).build()) {
            assertThat(engine.vectorKernels().available()).isTrue();
        }
        try (CodeEngine engine = CodeEngine.builder().store(memory()).plugin(
                org.codeengine.api.spi.VectorKernels.class, "java").build()) {
            assertThat(engine.vectorKernels().name()).isEqualTo("java");
        }
    }
}
