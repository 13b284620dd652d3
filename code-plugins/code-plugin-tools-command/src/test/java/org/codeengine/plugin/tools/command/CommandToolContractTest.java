package org.codeengine.plugin.tools.command;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.plugin.testkit.ToolProviderContract;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The command tool passes the kit every tool provider passes, on real child processes. */
class CommandToolContractTest extends ToolProviderContract {
    @TempDir
    Path root;

    @Override
    protected ToolProvider provider() {
        JsonNode settings = JSON.readTree("""
                {"executables": ["echo", "sleep"], "roots": ["%s"], "timeoutSeconds": 60}""".formatted(root));
        return new CommandToolProvider().configured(new ToolSettings(settings, ref -> {
            throw new NotFoundException("no secrets here", null);
        }, root));
    }

    @Override
    protected Map<String, JsonNode> sampleArguments() {
        return Map.of("command_run", JSON.readTree("""
                {"command": "echo", "args": ["hello"], "timeoutSeconds": 5}"""));
    }

    @Override
    protected Call failingCall() {
        return Call.of("command_run", """
                {"command": "rm", "args": ["-rf", "/"]}""");
    }

    @Override
    protected Optional<Call> slowCall() {
        return Optional.of(Call.of("command_run", """
                {"command": "sleep", "args": ["30"]}"""));
    }

    @Override
    protected Duration cancelWithin() {
        return Duration.ofSeconds(5);
    }
}
