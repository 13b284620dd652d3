package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** {@code code plugins} on the tool plugins, and what {@code code mcp serve} says of a wrong tools configuration. */
class ToolsCliTest {
    @TempDir
    Path home;

    @Test
    void plugins_listsEveryToolPlugin_itsTools_andWhenItIsServed() throws IOException {
        Files.writeString(home.resolve("config.yaml"), "tools:\n  files: {roots: [\".\"]}\n");
        Cli.Result r = new Cli(home).run("plugins", "--json");
        assertThat(r.exit()).as(r.all()).isZero();
        JsonNode files = tool(r.json(), "files");
        assertThat(files.path("tools").toString()).contains("files_read", "files_write", "files_search");
        assertThat(files.path("served").asString()).isEqualTo("configured in config.yaml (tools.files)");
        assertThat(files.path("unavailable").isNull()).isTrue();
        assertThat(tool(r.json(), "command").path("served").asString()).isEqualTo("served with --tools command");

        Cli.Result text = new Cli(home).run("plugins");
        assertThat(text.out()).containsPattern("(?m)^command +served with --tools command +command_run$");
    }

    @Test
    void serve_refusesAToolsConfigurationItCannotUse_namingTheFix() throws IOException {
        Cli.Result noRoot = new Cli(home).run("mcp", "serve", "--stdio", "--tools", "files");
        assertThat(noRoot.exit()).isNotZero();
        assertThat(noRoot.err()).contains("the files tools need a folder to work in", "--root DIR");
        Cli.Result stray = new Cli(home).run("mcp", "serve", "--stdio", "--root", ".");
        assertThat(stray.err()).contains("--root is for the files and command tools");
        Cli.Result unknown = new Cli(home).run("mcp", "serve", "--stdio", "--tools", "nosuch");
        assertThat(unknown.err()).contains("'nosuch'", "files", "command");
        Files.writeString(home.resolve("config.yaml"), "tools:\n  files: 3\n");
        Cli.Result mistyped = new Cli(home).run("plugins");
        assertThat(mistyped.err()).contains("tools.files must be a mapping of settings");
    }

    private static JsonNode tool(JsonNode json, String name) {
        for (JsonNode t : json.path("tools")) {
            if (t.path("name").asString().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no tool plugin " + name + " in " + json);
    }
}
