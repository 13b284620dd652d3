package org.codeengine.plugin.ollama;

import org.codeengine.plugin.testkit.LiveProviderCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** Against a real Ollama; runs only when OLLAMA_IT_MODEL names a pulled model (server: OLLAMA_HOST or local). */
@EnabledIfEnvironmentVariable(named = "OLLAMA_IT_MODEL", matches = ".+")
class OllamaLiveIT {
    @Test
    void aRealReply_blockingAndStreamed() {
        LiveProviderCheck.run(new OllamaProvider(), System.getenv("OLLAMA_IT_MODEL"));
    }
}
