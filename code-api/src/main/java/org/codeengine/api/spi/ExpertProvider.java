package org.codeengine.api.spi;

import org.codeengine.api.ConfigurationException;

/** A plugin that connects CODE to one family of LLM APIs (OpenAI, Anthropic, Gemini, Ollama, ...). */
public interface ExpertProvider extends Plugin {
    /**
     * {@return a client for that provider}
     *
     * @param config where and how to connect
     * @throws ConfigurationException if the configuration lacks what the provider needs
     */
    ExpertClient create(ProviderConfig config);
}
