package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.api.spi.StreamListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ExpertProvider} passes, whatever carries its calls (HTTP, a local library, recorded
 * replies): it is found by {@link java.util.ServiceLoader}, a call answers {@value #ANSWER} with a model and a normal
 * stop, a streamed call delivers the same answer in pieces, a listener that throws ends the call, and the key never
 * shows in the client's or the reply's text.
 *
 * <p>A plugin's test extends this class, says how to make the client ({@link #config}) and, in {@link #arrange}, makes
 * the next call answer {@value #ANSWER}. A provider that speaks HTTP extends {@link ExpertProviderContract} instead,
 * which adds the wire scenarios (errors, retries, broken streams) to these.
 */
public abstract class ExpertProviderCoreContract {
    /** For the test class that extends the contract. */
    protected ExpertProviderCoreContract() {}

    /** The key every call is made with; it must never show in a message. */
    protected static final String KEY = "sk-test-SECRET-0123456789abcdef";
    /** The model every call asks for. */
    protected static final String MODEL = "test-model";
    /** What {@link #arrange} makes the next call answer. */
    protected static final String ANSWER = "The answer is 42.";

    private ExpertClient client;

    /** {@return the plugin under test} */
    protected abstract ExpertProvider provider();

    /** {@return the configuration the client is made with, holding {@link #KEY} where the provider takes a key} */
    protected abstract ProviderConfig config();

    /**
     * Makes the next call answer {@link #ANSWER} for {@link #request()}, with a normal stop.
     *
     * @param streamed whether the call will stream
     */
    protected abstract void arrange(boolean streamed);

    /** Sets up what the client will talk to, before it is made; nothing by default. */
    protected void setUpBackend() {}

    /** Stops what {@link #setUpBackend} started, after the client is closed; nothing by default. */
    protected void tearDownBackend() {}

    /** {@return the client made for this test from {@link #config}} */
    protected ExpertClient client() {
        return client;
    }

    /** {@return a request for the test model} */
    protected static ChatRequest request() {
        return new ChatRequest(MODEL, List.of(new ChatMessage(ChatMessage.Role.SYSTEM, "Answer briefly."),
                new ChatMessage(ChatMessage.Role.USER, "What is six times seven?")), 0.2, 100, List.of("\n\n"));
    }

    @BeforeEach
    void makeTheClient() {
        setUpBackend();
        client = provider().create(config());
    }

    @AfterEach
    void closeTheClient() {
        try {
            if (client != null) {
                assertThat(client.toString()).as("the client's text").doesNotContain(KEY);
                client.close();
            }
        } finally {
            tearDownBackend();
        }
    }

    @Test
    void serviceLoader_findsTheProvider_withALowerCaseName_andTheCurrentApiVersion() {
        Plugins.checkRegistered(ExpertProvider.class, provider());
    }

    @Test
    void aCall_answersWithTextAModelAndANormalStop() {
        arrange(false);
        ChatResponse r = client.complete(request());

        assertThat(r.text()).isEqualTo(ANSWER);
        assertThat(r.model()).as("the model that answered").isNotBlank();
        assertThat(r.finishReason()).isEqualTo(ChatResponse.FinishReason.STOP);
        assertThat(r.toString()).doesNotContain(KEY);
    }

    @Test
    void aStreamedCall_deliversTheAnswerInPieces_andWhole() {
        arrange(true);
        List<String> pieces = new ArrayList<>();
        ChatResponse r = client.stream(request(), pieces::add);

        assertThat(pieces).isNotEmpty();
        assertThat(String.join("", pieces)).isEqualTo(ANSWER);
        assertThat(r.text()).isEqualTo(ANSWER);
        assertThat(r.finishReason()).isEqualTo(ChatResponse.FinishReason.STOP);
    }

    @Test
    void aStreamListenerThatThrows_endsTheCall() {
        arrange(true);
        StreamListener failing = d -> {
            throw new IllegalStateException("host gave up");
        };
        assertThatThrownBy(() -> client.stream(request(), failing)).hasMessageContaining("host gave up");
    }
}
