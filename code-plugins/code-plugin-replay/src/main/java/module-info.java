/** An expert provider that answers from recorded model replies. */
module org.codeengine.plugin.replay {
    requires org.codeengine.api;

    provides org.codeengine.api.spi.ExpertProvider with org.codeengine.plugin.replay.ReplayProvider;
}
