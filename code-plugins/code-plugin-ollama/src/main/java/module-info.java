/** Ollama's native chat API as an expert provider. */
module org.codeengine.plugin.ollama {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;

    provides org.codeengine.api.spi.ExpertProvider with org.codeengine.plugin.ollama.OllamaProvider;
}
