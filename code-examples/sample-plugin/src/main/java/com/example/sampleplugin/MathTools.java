package com.example.sampleplugin;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.List;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three small tools: {@code sample_add} and {@code sample_divide} on decimals (a division by zero is the tool's own
 * failure, a result with {@code error} set), and {@code sample_wait}, which waits some seconds and ends early, as a
 * failure, when its call is cancelled (its thread interrupted).
 */
public final class MathTools implements ToolProvider {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String TWO_NUMBERS = """
            {"type": "object", "properties": {"a": {"type": "number"}, "b": {"type": "number"}},
             "required": ["a", "b"], "additionalProperties": false}""";
    private static final String RESULT = """
            {"type": "object", "properties": {"result": {"type": "number"}}, "required": ["result"]}""";
    private static final List<ToolDescriptor> TOOLS = List.of(new ToolDescriptor("sample_add", "Add two numbers.",
            JSON.readTree(TWO_NUMBERS), JSON.readTree(RESULT), ToolAnnotations.readOnly(false)), new ToolDescriptor(
                    "sample_divide", "Divide a by b, to 16 significant digits.", JSON.readTree(TWO_NUMBERS), JSON
                            .readTree(RESULT), ToolAnnotations.readOnly(false)), new ToolDescriptor("sample_wait",
                                    "Wait some seconds, then say so.", JSON.readTree("""
                                            {"type": "object", "properties": {"seconds": {"type": "integer",
                                              "minimum": 1, "maximum": 300}},
                                             "required": ["seconds"], "additionalProperties": false}"""), null,
                                    ToolAnnotations.readOnly(false)));

    /** The provider as ServiceLoader makes it. */
    public MathTools() {}

    @Override
    public String name() {
        return "sample-math";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public List<ToolDescriptor> tools() {
        return TOOLS;
    }

    @Override
    public ToolResult call(String tool, JsonNode arguments, ToolContext context) {
        return switch (tool) {
            case "sample_add" -> number(arguments.get("a").decimalValue().add(arguments.get("b").decimalValue()));
            case "sample_divide" -> {
                BigDecimal b = arguments.get("b").decimalValue();
                yield b.signum() == 0
                        ? new ToolResult("cannot divide by zero", null, true)
                        : number(arguments.get("a").decimalValue().divide(b, MathContext.DECIMAL64));
            }
            case "sample_wait" -> waitFor(Duration.ofSeconds(arguments.get("seconds").asInt()));
            default -> throw new NotFoundException("the sample-math provider has no tool '" + tool + "'", null);
        };
    }

    private static ToolResult number(BigDecimal value) {
        return new ToolResult(value.toPlainString(), JSON.createObjectNode().put("result", value), false);
    }

    private static ToolResult waitFor(Duration duration) {
        try {
            Thread.sleep(duration);
            return new ToolResult("waited " + duration.toSeconds() + " s", null, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ToolResult("cancelled", null, true);
        }
    }
}
