package org.codeengine.core;

import java.nio.file.Path;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.core.internal.config.ConfigNode;
import org.codeengine.core.internal.experts.PanelCodec;

/**
 * Reads expert panels from YAML or JSON files. Every error names the field and the rule
 * ({@code experts[1].weight: weight must be positive and finite but was 0.0}).
 *
 * <pre>{@code
 * experts:
 *   - {provider: openai, model: gpt-4o-mini}
 *   - {provider: anthropic, model: claude-3-5-haiku-latest, role: security, prompt: "You review security."}
 * providers:
 *   openai: {apiKey: "env:OPENAI_API_KEY", timeout: 30s}     # or vault:name, secret://name
 * quorum: majority          # or 2, or 60%
 * expertTimeout: 20s
 * cacheTtl: 10m
 * extraction: auto          # numeric, text, choice:D, json:answer, json:result.value:numeric, regex:...
 * strategy: reliability     # majority, unsupervised, medoid
 * axioms: [{minAgreement: 0.5}, {minProviders: 2}, {noSecrets: true}]
 * prices: {gpt-4o-mini: {input: 0.15, output: 0.60}}
 * limits: {openai: {ratePerSecond: 5, concurrent: 4, attempts: 3}}
 * }</pre>
 */
public final class ExpertPanels {
    private ExpertPanels() {}

    /**
     * {@return the panel it holds}
     *
     * @param file a YAML or JSON file
     * @throws NotFoundException if the file does not exist
     * @throws InvalidRequestException if it cannot be read, is not well-formed, or a field breaks its rule
     */
    public static ExpertPanel read(Path file) {
        return PanelCodec.read(ConfigNode.readFile(file, "expert panel"), file.toString());
    }

    /**
     * {@return the panel}
     *
     * @param text a panel in YAML or JSON
     * @throws InvalidRequestException if the text is not well-formed or a field breaks its rule
     */
    public static ExpertPanel parse(String text) {
        return PanelCodec.read(text, "the expert panel");
    }
}
