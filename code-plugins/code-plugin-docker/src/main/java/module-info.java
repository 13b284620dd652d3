/**
 * The {@code docker} step executor and health probe: services as containers on a Docker daemon, over the Engine API.
 */
module org.codeengine.plugin.docker {
    requires transitive org.codeengine.api;
    requires org.codeengine.plugin.support;

    // the infrastructure tools speak to the daemon through this plugin's client
    exports org.codeengine.plugin.docker;

    provides org.codeengine.api.spi.StepExecutor with org.codeengine.plugin.docker.DockerExecutor;
    provides org.codeengine.api.spi.HealthProbe with org.codeengine.plugin.docker.DockerProbe;
}
