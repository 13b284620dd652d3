package org.codeengine.plugin.tools.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.plugin.testkit.ToolProviderContract;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The terraform tools pass the kit every tool provider passes, in a working directory of the test's own. */
class TerraformToolContractTest extends ToolProviderContract {
    @TempDir
    Path home;

    @BeforeEach
    void workingDirectory() throws IOException {
        Files.createDirectories(home.resolve("infra"));
    }

    @Override
    protected ToolProvider provider() {
        return new TerraformToolProvider().configured(new ToolSettings(JSON.readTree("{\"dir\": \"infra\"}"),
                ref -> {
                    throw new NotFoundException("no secrets here", null);
                }, home));
    }

    @Override
    protected Map<String, JsonNode> sampleArguments() {
        return Map.of("terraform_plan", JSON.readTree("{\"variables\": {\"region\": \"eu-west-1\"}}"),
                "terraform_apply", JSON.createObjectNode(), "terraform_show", JSON.createObjectNode());
    }

    /** No saved plan to apply: refused, as a result, before terraform runs. */
    @Override
    protected Call failingCall() {
        return Call.of("terraform_apply", "{}");
    }
}
