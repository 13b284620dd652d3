package org.codeengine.plugin.gemini;

import org.codeengine.plugin.testkit.LiveProviderCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** Against the real API; runs only when GEMINI_API_KEY is set (model: GEMINI_IT_MODEL, else gemini-2.0-flash). */
@EnabledIfEnvironmentVariable(named = "GEMINI_API_KEY", matches = ".+")
class GeminiLiveIT {
    @Test
    void aRealReply_blockingAndStreamed() {
        String model = System.getenv().getOrDefault("GEMINI_IT_MODEL", "gemini-2.0-flash");
        LiveProviderCheck.run(new GeminiProvider(), model);
    }
}
