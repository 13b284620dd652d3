package org.codeengine.plugin.tools.data;

import java.nio.file.Path;
import java.util.Map;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.plugin.testkit.ToolProviderContract;
import tools.jackson.databind.JsonNode;

/** The redis tools pass the kit every tool provider passes. */
class RedisToolContractTest extends ToolProviderContract {
    @Override
    protected ToolProvider provider() {
        return new RedisToolProvider().configured(new ToolSettings(JSON.readTree("""
                {"key-prefix": "contract:", "max-value-bytes": 4, "max-ttl-seconds": 60}"""), ref -> {
            throw new NotFoundException("no secrets here", null);
        }, Path.of(".")));
    }

    @Override
    protected Map<String, JsonNode> sampleArguments() {
        return Map.of("redis_get", JSON.readTree("{\"key\": \"a\"}"), "redis_scan", JSON.readTree(
                "{\"pattern\": \"a*\", \"max_keys\": 10}"), "redis_set",
                JSON.readTree(
                        "{\"key\": \"a\", \"value\": \"ok\", \"ttl_seconds\": 60}"));
    }

    /** A value past the size cap, refused before anything is written. */
    @Override
    protected Call failingCall() {
        return Call.of("redis_set", "{\"key\": \"a\", \"value\": \"far too long\", \"ttl_seconds\": 5}");
    }
}
