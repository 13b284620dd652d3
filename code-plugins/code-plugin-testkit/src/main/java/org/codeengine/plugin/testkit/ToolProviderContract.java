package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.codeengine.api.CallContext;
import org.codeengine.api.CodeException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import org.codeengine.schema.JsonSchema;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The contract every {@link ToolProvider} passes: it is found by {@link java.util.ServiceLoader}; each tool has a
 * unique name, a description and input (and output) schemas that are JSON Schema objects a client can use, each tool's
 * sample arguments pass its schema; a tool's own failure is a result with {@code error} set, never an exception; an
 * unknown tool is {@link NotFoundException}; and a call is cancelled by interrupting its thread.
 *
 * <p>A plugin's test extends this class, gives the provider configured as a host would ({@link #provider}), sample
 * arguments for every tool, a call that fails, and, for a tool that can run long, a slow call.
 */
public abstract class ToolProviderContract {
    /** For the test class that extends the contract. */
    protected ToolProviderContract() {}

    /** Reads JSON for the tests: {@code JSON.readTree("{...}")}. */
    protected static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> SCHEMA_OBJECTS = Set.of("properties", "$defs", "patternProperties",
            "dependentSchemas");

    /**
     * One call of one tool.
     *
     * @param tool the tool's name
     * @param arguments its arguments, valid for its input schema
     */
    public record Call(String tool, JsonNode arguments) {
        /**
         * {@return the call}
         *
         * @param tool the tool's name
         * @param json its arguments as JSON text
         */
        public static Call of(String tool, String json) {
            return new Call(tool, JSON.readTree(json));
        }
    }

    /** {@return the provider under test, configured as a host would (see {@link ToolProvider#configured})} */
    protected abstract ToolProvider provider();

    /**
     * {@return for every tool the provider offers, arguments that its input schema accepts (the kit checks that each
     *         tool has some, so a new tool cannot go without)}
     */
    protected abstract Map<String, JsonNode> sampleArguments();

    /** {@return a call whose tool fails (a missing file, a command that exits non-zero): the failure is a result} */
    protected abstract Call failingCall();

    /**
     * {@return a call that runs until it is cancelled (at least some seconds); empty (the default) when no tool of
     *         the provider can run long}
     */
    protected Optional<Call> slowCall() {
        return Optional.empty();
    }

    /** {@return how soon a slow call must end once its thread is interrupted; 5 s by default} */
    protected Duration cancelWithin() {
        return Duration.ofSeconds(5);
    }

    /** {@return the context the kit's calls carry: a service principal, no deadline} */
    protected ToolContext context() {
        return new ToolContext(new CallContext(new Principal("contract", Principal.Kind.SERVICE, Set.of()), null,
                "contract"));
    }

    @Test
    void serviceLoader_findsTheProvider_withALowerCaseName_andTheCurrentApiVersion() {
        Plugins.checkRegistered(ToolProvider.class, provider());
    }

    @Test
    void tools_haveUniqueNames_descriptions_andObjectSchemasThatHoldTogether() {
        List<ToolDescriptor> tools = provider().tools();

        assertThat(tools).as("the tools offered").isNotEmpty();
        assertThat(tools).extracting(ToolDescriptor::name).doesNotHaveDuplicates();
        for (ToolDescriptor tool : tools) {
            assertThat(tool.description()).as("description of %s", tool.name()).isNotBlank();
            checkSchema(tool.name() + " input", tool.inputSchema());
            if (tool.outputSchema() != null) {
                checkSchema(tool.name() + " output", tool.outputSchema());
            }
        }
    }

    @Test
    void everyTool_hasSampleArguments_thatItsSchemaAccepts() {
        Map<String, JsonNode> samples = sampleArguments();
        List<ToolDescriptor> tools = provider().tools();

        assertThat(samples.keySet()).as("tools with sample arguments").containsExactlyInAnyOrderElementsOf(tools
                .stream().map(ToolDescriptor::name).toList());
        for (ToolDescriptor tool : tools) {
            assertThat(JsonSchema.validate(tool.inputSchema(), samples.get(tool.name()))).as("%s's sample against its"
                    + " schema", tool.name()).isEmpty();
        }
    }

    @Test
    void aToolsOwnFailure_isAResultWithErrorSet_thatSaysWhy() {
        Call call = failingCall();
        ToolResult result = provider().call(call.tool(), call.arguments(), context());

        assertThat(result.error()).as(result.text()).isTrue();
        assertThat(result.text()).as("why it failed").isNotBlank();
    }

    @Test
    void anUnknownTool_isNotFound() {
        assertThatThrownBy(() -> provider().call("no_such_tool_in_any_provider", JSON.createObjectNode(), context()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("no_such_tool_in_any_provider");
    }

    @Test
    void aCall_endsSoonAfterItsThreadIsInterrupted_withoutClaimingSuccess() throws InterruptedException {
        Optional<Call> slow = slowCall();
        Assumptions.assumeTrue(slow.isPresent(), "no tool of this provider runs long");
        Call call = slow.orElseThrow();
        ToolProvider provider = provider();
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread caller = Thread.ofPlatform().start(() -> {
            try {
                outcome.set(provider.call(call.tool(), call.arguments(), context()));
            } catch (RuntimeException e) {
                outcome.set(e);
            }
        });
        Thread.sleep(300); // the moment of the cancel, inside the call: not a wait for anything
        long began = System.nanoTime();
        caller.interrupt();
        caller.join(cancelWithin().plusSeconds(2));

        assertThat(caller.isAlive()).as("the call still runs after it was interrupted").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThanOrEqualTo(cancelWithin());
        if (outcome.get() instanceof ToolResult result) {
            assertThat(result.error()).as("a cancelled call is no success: %s", result.text()).isTrue();
        } else {
            assertThat(outcome.get()).isInstanceOf(CodeException.class);
        }
    }

    /** A schema a client can use: an object schema of type object whose nested schemas and required names hold. */
    private static void checkSchema(String what, JsonNode schema) {
        assertThat(schema.path("type").asString("")).as("%s schema's type", what).isEqualTo("object");
        List<String> problems = new ArrayList<>();
        walk(what, schema, "$", problems);
        assertThat(problems).as("problems in the %s schema", what).isEmpty();
        // the validator reports a schema it cannot use (an unresolvable $ref, a pattern that does not compile)
        assertThat(JsonSchema.validate(schema, JSON.createObjectNode())).as("%s schema applied to {}", what)
                .noneMatch(e -> e.contains("cannot be resolved") || e.contains("is not a valid regular expression"));
    }

    private static void walk(String what, JsonNode schema, String path, List<String> problems) {
        if (schema.isBoolean()) {
            return;
        }
        if (!schema.isObject()) {
            problems.add(path + " must be a schema (an object or a boolean)");
            return;
        }
        JsonNode required = schema.get("required");
        if (required != null) {
            if (!required.isArray()) {
                problems.add(path + ".required must be an array of names");
            } else {
                for (JsonNode name : required) {
                    if (!name.isString() || schema.has("properties") && !schema.get("properties").has(name
                            .asString())) {
                        problems.add(path + ".required names '" + name.asString() + "', which is not a property");
                    }
                }
            }
        }
        for (Map.Entry<String, JsonNode> field : schema.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (SCHEMA_OBJECTS.contains(key)) {
                if (!value.isObject()) {
                    problems.add(path + "." + key + " must be an object of schemas");
                    continue;
                }
                for (Map.Entry<String, JsonNode> child : value.properties()) {
                    walk(what, child.getValue(), path + "." + key + "." + child.getKey(), problems);
                }
            } else if (Set.of("items", "additionalProperties", "not", "if", "then", "else", "contains",
                    "propertyNames").contains(key)) {
                walk(what, value, path + "." + key, problems);
            } else if (Set.of("allOf", "anyOf", "oneOf", "prefixItems").contains(key)) {
                if (!value.isArray()) {
                    problems.add(path + "." + key + " must be an array of schemas");
                    continue;
                }
                for (int k = 0; k < value.size(); k++) {
                    walk(what, value.get(k), path + "." + key + "[" + k + "]", problems);
                }
            }
        }
    }
}
