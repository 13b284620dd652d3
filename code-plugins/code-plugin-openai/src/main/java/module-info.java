/** OpenAI Chat Completions and OpenAI-compatible servers as an expert provider. */
module org.codeengine.plugin.openai {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;

    provides org.codeengine.api.spi.ExpertProvider with org.codeengine.plugin.openai.OpenAiProvider;
}
