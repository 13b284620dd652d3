/** Example host programs built only on CODE's public API. */
module org.codeengine.examples {
    requires org.codeengine.core;
    requires org.codeengine.plugin.mcp;
}
