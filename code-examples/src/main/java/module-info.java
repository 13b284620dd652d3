/** The {@code code} command-line app and example host programs, built only on CODE's public API. */
module org.codeengine.examples {
    requires org.codeengine.core;
    requires info.picocli;
    requires tools.jackson.databind;
    requires tools.jackson.dataformat.yaml;
    requires jdk.httpserver;
    requires java.net.http;
    requires org.codeengine.plugin.mcp;
    requires micrometer.registry.prometheus;
    requires org.slf4j;

    uses org.codeengine.api.spi.ToolProvider;

    provides java.lang.System.LoggerFinder with org.codeengine.examples.cli.Slf4jLoggerFinder;

    exports org.codeengine.examples;

    opens org.codeengine.examples.cli to info.picocli;
}
