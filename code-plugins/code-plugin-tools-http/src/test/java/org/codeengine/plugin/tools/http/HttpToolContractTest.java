package org.codeengine.plugin.tools.http;

import java.nio.file.Path;
import java.util.Map;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.plugin.testkit.ToolProviderContract;
import tools.jackson.databind.JsonNode;

/** The http tool passes the kit every tool provider passes. */
class HttpToolContractTest extends ToolProviderContract {
    @Override
    protected ToolProvider provider() {
        return new HttpToolProvider().configured(new ToolSettings(JSON.readTree("{\"timeout-ms\": 2000}"), ref -> {
            throw new NotFoundException("no secrets here", null);
        }, Path.of(".")));
    }

    @Override
    protected Map<String, JsonNode> sampleArguments() {
        return Map.of("http_fetch", JSON.readTree("""
                {"url": "https://example.org/a", "method": "POST", "headers": {"Accept": "text/plain"},
                 "body": "hello", "content_type": "text/plain", "max_length": 100, "start_index": 0, "raw": false}"""));
    }

    /** A private address, refused by the address policy before anything is sent. */
    @Override
    protected Call failingCall() {
        return Call.of("http_fetch", "{\"url\": \"http://10.0.0.1/admin\"}");
    }
}
