package org.codeengine.api.spi;

import org.codeengine.api.CodeException;

/** A connection to one LLM provider, made by an {@link ExpertProvider}. Thread-safe. */
public interface ExpertClient extends AutoCloseable {
    /**
     * @param request the request
     * @return the complete reply
     * @throws CodeException mapped from the provider's error: retriable for rate limits, timeouts and outages,
     *         non-retriable for bad keys, unknown models and invalid requests
     */
    ChatResponse complete(ChatRequest request);

    /** Releases connections; the client cannot be used afterwards. */
    @Override
    void close();
}
