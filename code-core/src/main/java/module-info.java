/**
 * CODE's engine: {@link org.codeengine.core.CodeEngine} and, in unexported packages, plugin discovery, the JDBC store
 * and the implementations of CODE's faces.
 */
module org.codeengine.core {
    requires transitive org.codeengine.api;
    requires org.slf4j;
    requires org.codeengine.schema;
    requires com.zaxxer.hikari;
    requires flyway.core;
    requires transitive micrometer.core;
    requires transitive micrometer.observation;
    requires micrometer.commons;
    requires tools.jackson.dataformat.yaml;
    requires io.github.resilience4j.circuitbreaker;
    requires io.github.resilience4j.bulkhead;
    requires io.github.resilience4j.core;
    requires io.github.resilience4j.ratelimiter;
    requires com.github.benmanes.caffeine;
    requires java.net.http;
    requires java.management;
    requires com.nimbusds.jose.jwt;
    requires re2j;

    exports org.codeengine.core;

    uses org.codeengine.api.spi.EventBusProvider;
    uses org.codeengine.api.spi.ExpertProvider;
    uses org.codeengine.api.spi.StepExecutor;
    uses org.codeengine.api.spi.HealthProbe;
    uses org.codeengine.api.spi.ToolProvider;
    uses org.codeengine.api.spi.VectorKernels;
    uses org.codeengine.api.spi.StoreProvider;

    provides org.codeengine.api.spi.StepExecutor with org.codeengine.core.internal.executors.ProcessExecutor;
    provides org.codeengine.api.spi.VectorKernels with org.codeengine.core.internal.vector.JavaKernels;
    provides org.codeengine.api.spi.HealthProbe with org.codeengine.core.internal.executors.HttpProbe,
            org.codeengine.core.internal.executors.TcpProbe, org.codeengine.core.internal.executors.CommandProbe;
}
