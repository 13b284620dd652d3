/**
 * CODE's public API: the types a host calls ({@code org.codeengine.api.*}) and the service provider interfaces
 * plugins implement ({@code org.codeengine.api.spi}). It holds no logic beyond validation.
 */
module org.codeengine.api {
    requires transitive tools.jackson.databind;
    requires transitive org.jspecify;
    requires transitive java.sql;

    exports org.codeengine.api;
    exports org.codeengine.api.agents;
    exports org.codeengine.api.events;
    exports org.codeengine.api.experts;
    exports org.codeengine.api.orchestrator;
    exports org.codeengine.api.security;
    exports org.codeengine.api.spi;
    exports org.codeengine.api.tools;
}
