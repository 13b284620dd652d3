package org.codeengine.api.spi;

import org.codeengine.api.CodeException;

/** A connection to one LLM provider, made by an {@link ExpertProvider}. Thread-safe. */
public interface ExpertClient extends AutoCloseable {
    /**
     * {@return the complete reply}
     *
     * @param request the request
     * @throws CodeException mapped from the provider's error: retriable for rate limits, timeouts and outages,
     *         non-retriable for bad keys, unknown models and invalid requests
     */
    ChatResponse complete(ChatRequest request);

    /**
     * Streams the reply to {@code listener} while it is generated, and returns it whole at the end. Providers that
     * cannot stream deliver the whole text in one piece (the default).
     *
     * @param request the request
     * @param listener receives the pieces, on the calling thread
     * @return the complete reply, as {@link #complete} would return it, with its time to first token
     * @throws CodeException as {@link #complete}, and also when the stream breaks off, stalls, or carries an error
     */
    default ChatResponse stream(ChatRequest request, StreamListener listener) {
        ChatResponse response = complete(request);
        if (!response.text().isEmpty()) {
            listener.onText(response.text());
        }
        response.toolCalls().forEach(listener::onToolCall);
        return response;
    }

    /** Releases connections; the client cannot be used afterwards. */
    @Override
    void close();
}
