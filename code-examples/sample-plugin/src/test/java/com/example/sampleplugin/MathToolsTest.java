package com.example.sampleplugin;

import java.util.Map;
import java.util.Optional;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.plugin.testkit.ToolProviderContract;
import tools.jackson.databind.JsonNode;

class MathToolsTest extends ToolProviderContract {
    @Override
    protected ToolProvider provider() {
        return new MathTools();
    }

    @Override
    protected Map<String, JsonNode> sampleArguments() {
        return Map.of("sample_add", JSON.readTree("{\"a\": 1.5, \"b\": 2}"), "sample_divide", JSON.readTree(
                "{\"a\": 1, \"b\": 3}"), "sample_wait", JSON.readTree("{\"seconds\": 1}"));
    }

    @Override
    protected Call failingCall() {
        return Call.of("sample_divide", "{\"a\": 1, \"b\": 0}");
    }

    @Override
    protected Optional<Call> slowCall() {
        return Optional.of(Call.of("sample_wait", "{\"seconds\": 60}"));
    }
}
