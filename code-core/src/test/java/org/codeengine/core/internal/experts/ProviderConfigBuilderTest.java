package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.codeengine.api.Secret;
import org.codeengine.api.spi.ProviderConfig;
import org.junit.jupiter.api.Test;

/** A provider's configuration built by name: the same record the constructor makes, with checks that name the field. */
class ProviderConfigBuilderTest {
    @Test
    void builder_makesTheRecordTheConstructorMakes() {
        Secret key = Secret.of("sk-builder-SECRET-1");
        ProviderConfig built = ProviderConfig.builder().baseUrl(URI.create("http://127.0.0.1:11434")).apiKey(key)
                .timeout(Duration.ofSeconds(30)).setting("stream-idle-timeout", "20s").build();

        assertThat(built).isEqualTo(new ProviderConfig(URI.create("http://127.0.0.1:11434"), key, Duration.ofSeconds(
                30), Map.of("stream-idle-timeout", "20s")));
        assertThat(built.toString()).doesNotContain("sk-builder-SECRET-1");
        assertThat(built.toBuilder().build()).isEqualTo(built);
    }

    @Test
    void builder_defaultsToNoUrlNoKeyASixtySecondTimeoutAndNoSettings() {
        ProviderConfig config = ProviderConfig.builder().build();

        assertThat(config.base()).isEmpty();
        assertThat(config.key()).isEmpty();
        assertThat(config.timeout()).isEqualTo(ProviderConfig.DEFAULT_TIMEOUT).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.settings()).isEmpty();
    }

    @Test
    void apiKeyRef_isTheKeyRefSetting() {
        assertThat(ProviderConfig.builder().apiKeyRef("env:OPENAI_API_KEY").settings(Map.of("organization", "o"))
                .build().settings()).containsExactlyInAnyOrderEntriesOf(Map.of(ProviderConfig.KEY_REF,
                        "env:OPENAI_API_KEY", "organization", "o"));
    }

    @Test
    void badArguments_areRefusedAtOnce_namingTheField() {
        assertThatThrownBy(() -> ProviderConfig.builder().timeout(Duration.ZERO)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("timeout");
        assertThatThrownBy(() -> ProviderConfig.builder().baseUrl(URI.create("api.example.com/v1"))).isInstanceOf(
                IllegalArgumentException.class).hasMessageStartingWith("baseUrl must be an absolute URL");
        assertThatThrownBy(() -> ProviderConfig.builder().apiKeyRef("sk-live-key-in-the-clear")).isInstanceOf(
                IllegalArgumentException.class).hasMessageStartingWith("apiKeyRef must be env:NAME").message()
                .doesNotContain("sk-live");
        assertThatThrownBy(() -> ProviderConfig.builder().setting(" ", "x")).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("setting name");
    }
}
