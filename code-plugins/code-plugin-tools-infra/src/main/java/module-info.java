/** The {@code docker}, {@code kubernetes} and {@code terraform} tool providers. */
module org.codeengine.plugin.tools.infra {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;
    requires org.codeengine.plugin.docker;
    requires kubernetes.client.api;
    requires kubernetes.model.common;
    requires kubernetes.model.core;
    requires kubernetes.model.apps;
    // found by fabric8 through ServiceLoader: named here so that the module path resolves them
    requires kubernetes.client;
    requires io.fabric8.kubernetes.client.jdkhttp;

    provides org.codeengine.api.spi.ToolProvider with org.codeengine.plugin.tools.infra.DockerToolProvider,
            org.codeengine.plugin.tools.infra.KubernetesToolProvider,
            org.codeengine.plugin.tools.infra.TerraformToolProvider;
}
