package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;

/**
 * What a live test (an {@code *IT}, run only when the provider's key is in the environment) checks against the real
 * API: a short blocking reply and a streamed one, with usage.
 */
public final class LiveProviderCheck {
    private LiveProviderCheck() {}

    /**
     * Asks the model for a short reply, blocking and then streamed, and checks both and their usage.
     *
     * @param provider the plugin
     * @param model the model to ask
     */
    public static void run(ExpertProvider provider, String model) {
        try (ExpertClient client = provider.create(ProviderConfig.builder().build())) {
            ChatRequest ask = new ChatRequest(model, List.of(new ChatMessage(ChatMessage.Role.USER,
                    "Reply with the single word: pong")), 0, 20, List.of());
            ChatResponse plain = client.complete(ask);
            assertThat(plain.text().toLowerCase()).contains("pong");
            assertThat(plain.usage().outputTokens()).isPositive();
            List<String> pieces = new ArrayList<>();
            ChatResponse streamed = client.stream(ask, pieces::add);
            assertThat(String.join("", pieces)).isEqualTo(streamed.text());
            assertThat(streamed.text().toLowerCase()).contains("pong");
            assertThat(streamed.firstToken()).isPresent();
        }
    }
}
