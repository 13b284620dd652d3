/**
 * The {@code docker} step executor and health probe: services as containers on a Docker daemon, over the Engine API.
 */
module org.codeengine.plugin.docker {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;

    provides org.codeengine.api.spi.StepExecutor with org.codeengine.plugin.docker.DockerExecutor;
    provides org.codeengine.api.spi.HealthProbe with org.codeengine.plugin.docker.DockerProbe;
}
