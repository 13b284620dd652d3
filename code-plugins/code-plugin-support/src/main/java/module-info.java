/**
 * What LLM provider plugins share: HTTP with retries as the official SDKs do them, mapping of HTTP errors onto CODE's
 * exceptions, SSE and NDJSON streams with an idle timeout, rate-limit headers and API keys. Depends on code-api only.
 */
module org.codeengine.plugin.support {
    requires transitive org.codeengine.api;
    requires transitive java.net.http;

    exports org.codeengine.plugin.support;
}
