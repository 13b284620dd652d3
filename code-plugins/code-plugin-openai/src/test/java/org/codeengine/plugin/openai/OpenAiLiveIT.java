package org.codeengine.plugin.openai;

import org.codeengine.plugin.testkit.LiveProviderCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** Against the real API; runs only when OPENAI_API_KEY is set (model: OPENAI_IT_MODEL, else gpt-4o-mini). */
@EnabledIfEnvironmentVariable(named = "OPENAI_API_KEY", matches = ".+")
class OpenAiLiveIT {
    @Test
    void aRealReply_blockingAndStreamed() {
        String model = System.getenv().getOrDefault("OPENAI_IT_MODEL", "gpt-4o-mini");
        LiveProviderCheck.run(new OpenAiProvider(), model);
    }
}
