/**
 * The {@code kubernetes} step executor: services as Deployments (and Services) on a Kubernetes cluster, through
 * fabric8's client on the JDK's HTTP client. fabric8's jars are automatic modules; they share Jackson 3 with CODE.
 */
module org.codeengine.plugin.kubernetes {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;
    requires kubernetes.client.api;
    requires kubernetes.model.common;
    requires kubernetes.model.core;
    requires kubernetes.model.apps;
    // found by fabric8 through ServiceLoader: named here so that the module path resolves them
    requires kubernetes.client;
    requires io.fabric8.kubernetes.client.jdkhttp;

    provides org.codeengine.api.spi.StepExecutor with org.codeengine.plugin.kubernetes.KubernetesExecutor;
}
