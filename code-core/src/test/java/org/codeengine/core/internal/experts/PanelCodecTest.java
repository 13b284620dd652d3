package org.codeengine.core.internal.experts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.experts.Axiom;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.Extraction;
import org.codeengine.api.experts.Price;
import org.codeengine.api.experts.Quorum;
import org.codeengine.api.spi.ProviderConfig;
import org.junit.jupiter.api.Test;

class PanelCodecTest {

    @Test
    void readsEveryFieldOfAPanel_fromYaml() {
        ExpertPanel p = PanelCodec.read(
                """
                        experts:
                          - {provider: openai, model: gpt-4o-mini}
                          - {provider: openai, model: gpt-4o-mini, role: security, prompt: "You review security.", weight: 2}
                        providers:
                          openai: {baseUrl: "http://127.0.0.1:9/v1", apiKey: "env:OPENAI_API_KEY", timeout: 20s,
                                   settings: {organization: acme}}
                        quorum: 60%
                        expertTimeout: 15s
                        cacheTtl: 10m
                        extraction: json:result.value:numeric
                        strategy: majority
                        axioms: [{minAgreement: 0.5}, {minProviders: 1}, {noSecrets: true}, {jsonSchema: {type: object}}, {noSecrets: false}]
                        prices: {gpt-4o-mini: {input: 0.15, output: 0.6}, openai/gpt-4.1-mini: {input: 0.4, output: 1.6}}
                        limits: {openai: {ratePerSecond: 5, concurrent: 4, attempts: 2}}
                        """,
                "panel.yaml");

        assertThat(p.experts()).hasSize(2);
        assertThat(p.experts().get(1).id()).isEqualTo("openai/gpt-4o-mini#security");
        assertThat(p.experts().get(1).weight()).isEqualTo(2);
        assertThat(p.providers().get("openai").key()).isEmpty();
        assertThat(p.providers().get("openai").settings()).containsEntry(ProviderConfig.KEY_REF, "env:OPENAI_API_KEY");
        assertThat(p.providers().get("openai").settings()).containsEntry("organization", "acme");
        assertThat(p.quorum()).isEqualTo(Quorum.fraction(0.6));
        assertThat(p.expertTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(p.cacheTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(p.extraction()).isEqualTo(new Extraction.JsonField("result.value", new Extraction.Numeric()));
        assertThat(p.strategy()).isEqualTo("majority");
        assertThat(p.axioms()).hasSize(4).first().isEqualTo(new Axiom.MinAgreement(0.5));
        assertThat(p.prices()).containsEntry("gpt-4o-mini", new Price(0.15, 0.6)).containsEntry(
                "openai/gpt-4.1-mini", new Price(0.4, 1.6));
        assertThat(p.limits().get("openai")).isEqualTo(new ExpertPanel.ProviderLimits(5, 4, 2));
    }

    @Test
    void errorsNameTheFieldAndTheRule() {
        assertThatThrownBy(() -> PanelCodec.read("experts: [{provider: openai, model: m, weight: 0}]", "p.yaml"))
                .isInstanceOf(InvalidRequestException.class).hasMessage(
                        "p.yaml: experts[0]: weight must be above 0 and at most 1e6 but was 0.0");
        assertThatThrownBy(() -> PanelCodec.read("experts: []", "p.yaml")).hasMessageContaining(
                "experts must not be empty");
        assertThatThrownBy(() -> PanelCodec.read("experts: [{provider: a, model: m}]\nquorum: 3", "p.yaml"))
                .hasMessageContaining("quorum must not be larger than the panel: 3 of 1");
        assertThatThrownBy(() -> PanelCodec.read("experts: [{provider: a, model: m, colour: red}]", "p.yaml"))
                .hasMessageContaining("experts[0] has an unknown field 'colour'");
        assertThatThrownBy(() -> PanelCodec.read("experts: [{provider: a, model: m}]\nextraction: guess", "p.yaml"))
                .hasMessageContaining("extraction must be auto, numeric");
        assertThatThrownBy(() -> PanelCodec.read("experts: [{provider: a, model: m}]\nquorum: most", "p.yaml"))
                .hasMessageContaining("quorum must be a count");
        assertThatThrownBy(() -> PanelCodec.read("experts: [{provider: a, model: m}]\nextraction: 'regex:['",
                "p.yaml")).isInstanceOf(InvalidRequestException.class).hasMessageContaining(
                        "p.yaml: extraction: pattern is not a valid regular expression");
        assertThatThrownBy(() -> PanelCodec.read("experts: [{provider: a, model: m}]\nexpertTimeout: 0s",
                "p.yaml")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("expertTimeout");
        assertThatThrownBy(() -> PanelCodec.read("experts: [{provider: a, model: m}]\nlimits: {OpenAI: {}}",
                "p.yaml")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("limits.OpenAI");
    }

    @Test
    void anApiKeyWrittenIntoTheFile_isRefused_withoutEchoingIt() {
        assertThatThrownBy(() -> PanelCodec.read("""
                experts: [{provider: openai, model: m}]
                providers: {openai: {apiKey: sk-live-abcdef}}
                """, "p.yaml")).isInstanceOf(InvalidRequestException.class).hasMessageContaining(
                "providers.openai.apiKey must name where the key is").hasMessageNotContaining("sk-live-abcdef");
        assertThat(PanelCodec.read("""
                experts: [{provider: openai, model: m}]
                providers: {openai: {apiKey: "secret://openai-key"}}
                """, "p.yaml").providers().get("openai").settings()).containsEntry(ProviderConfig.KEY_REF,
                "secret://openai-key");
    }
}
