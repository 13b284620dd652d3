package org.codeengine.plugin.tools.infra;

import java.nio.file.Path;
import java.util.Map;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.plugin.testkit.ToolProviderContract;
import tools.jackson.databind.JsonNode;

/** The docker tools pass the kit every tool provider passes, on the local daemon. */
class DockerToolContractTest extends ToolProviderContract {
    @Override
    protected ToolProvider provider() {
        return new DockerToolProvider().configured(new ToolSettings(JSON.createObjectNode(), ref -> {
            throw new NotFoundException("no secrets here", null);
        }, Path.of(".")));
    }

    @Override
    protected Map<String, JsonNode> sampleArguments() {
        return Map.of("docker_ps", JSON.readTree("{\"all\": true}"), "docker_logs", JSON.readTree(
                "{\"container\": \"web\", \"tail\": 20}"), "docker_inspect", JSON.readTree("{\"container\": \"web\"}"),
                "docker_run", JSON.readTree("{\"image\": \"busybox:1\", \"name\": \"web\", \"command\": [\"true\"],"
                        + " \"env\": {\"MODE\": \"test\"}}"),
                "docker_stop", JSON.readTree(
                        "{\"container\": \"web\", \"timeout_seconds\": 5}"));
    }

    /** A container that is not there: the daemon's 404, as a result. */
    @Override
    protected Call failingCall() {
        return Call.of("docker_inspect", "{\"container\": \"code-contract-no-such-container\"}");
    }
}
