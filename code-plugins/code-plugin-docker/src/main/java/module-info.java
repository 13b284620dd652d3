/** The {@code docker} step executor: services as containers on a Docker daemon, over the Engine API. */
module org.codeengine.plugin.docker {
    requires org.codeengine.api;
    requires org.codeengine.plugin.support;

    provides org.codeengine.api.spi.StepExecutor with org.codeengine.plugin.docker.DockerExecutor;
}
