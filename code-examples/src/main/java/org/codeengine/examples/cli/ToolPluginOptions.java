package org.codeengine.examples.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/** The options that choose tool plugins and their folders, shared by the commands that serve or use tools. */
final class ToolPluginOptions {
    @Option(names = "--tools", split = ",", paramLabel = "LIST", description = "Tool plugins to enable: files, "
            + "command, http, postgres, redis, docker, kubernetes, terraform (default: those under tools: in "
            + "config.yaml, whose settings each one gets).")
    @Nullable
    List<String> tools;

    @Option(names = "--root", paramLabel = "DIR", description = "A folder the files and command tools are "
            + "confined to; repeat for more. Replaces their roots from config.yaml.")
    List<Path> roots = new ArrayList<>();

    /**
     * @param config the configuration
     * @return each plugin to enable, with its settings (see {@link McpCommand#toolSettings})
     */
    Map<String, JsonNode> settings(Config config) {
        return McpCommand.toolSettings(config, tools, roots);
    }
}
