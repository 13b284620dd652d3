package org.codeengine.examples.agents;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A destructive tool that records each call it runs: {@code deploy} with an environment and a secret token (its
 * schema marks the token {@code writeOnly}, so the registry redacts it wherever it shows the arguments).
 */
final class DeployTool implements ToolProvider {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    final List<String> deployed = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
        return "deployer";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public List<ToolDescriptor> tools() {
        ObjectNode schema = JSON.createObjectNode().put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        properties.putObject("env").put("type", "string");
        properties.putObject("token").put("type", "string").put("writeOnly", true);
        schema.putArray("required").add("env");
        return List.of(new ToolDescriptor("deploy", "Deploys the shop to an environment.", schema, null,
                ToolAnnotations.destructive(false, true)));
    }

    @Override
    public ToolResult call(String tool, JsonNode arguments, ToolContext context) {
        String env = arguments.get("env").asString();
        deployed.add(env);
        return new ToolResult("deployed to " + env, null, false);
    }
}
