/** Google's Gemini API as an expert provider. */
module org.codeengine.plugin.gemini {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;

    provides org.codeengine.api.spi.ExpertProvider with org.codeengine.plugin.gemini.GeminiProvider;
}
