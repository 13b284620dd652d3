/** The {@code http} tool provider: {@code http_fetch}, safe against server-side request forgery. */
module org.codeengine.plugin.tools.http {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;

    provides org.codeengine.api.spi.ToolProvider with org.codeengine.plugin.tools.http.HttpToolProvider;
}
