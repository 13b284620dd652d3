/** Anthropic's Messages API as an expert provider. */
module org.codeengine.plugin.anthropic {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;

    provides org.codeengine.api.spi.ExpertProvider with org.codeengine.plugin.anthropic.AnthropicProvider;
}
