package org.codeengine.plugin.anthropic;

import org.codeengine.plugin.testkit.LiveProviderCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** Against the real API; runs only when ANTHROPIC_API_KEY is set (model: ANTHROPIC_IT_MODEL, else a Haiku). */
@EnabledIfEnvironmentVariable(named = "ANTHROPIC_API_KEY", matches = ".+")
class AnthropicLiveIT {
    @Test
    void aRealReply_blockingAndStreamed() {
        String model = System.getenv().getOrDefault("ANTHROPIC_IT_MODEL", "claude-3-5-haiku-latest");
        LiveProviderCheck.run(new AnthropicProvider(), model);
    }
}
