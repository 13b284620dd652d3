/** The {@code docker}, {@code kubernetes} and {@code terraform} tool providers. */
module org.codeengine.plugin.tools.infra {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;
    requires org.codeengine.plugin.docker;

    provides org.codeengine.api.spi.ToolProvider with org.codeengine.plugin.tools.infra.DockerToolProvider,
            org.codeengine.plugin.tools.infra.TerraformToolProvider;
}
