package org.codeengine.plugin.tools.files;

import java.nio.file.Path;
import java.util.Map;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.spi.ToolSettings;
import org.codeengine.plugin.testkit.ToolProviderContract;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The file tools pass the kit every tool provider passes, in a folder of the test's own. */
class FilesToolContractTest extends ToolProviderContract {
    @TempDir
    Path root;

    @Override
    protected ToolProvider provider() {
        JsonNode settings = JSON.readTree("""
                {"roots": ["%s"]}""".formatted(root));
        return new FilesToolProvider().configured(new ToolSettings(settings, ref -> {
            throw new NotFoundException("no secrets here", null);
        }, root));
    }

    @Override
    protected Map<String, JsonNode> sampleArguments() {
        return Map.of("files_read", json("{'path': 'a.txt'}"), "files_list", json("{'path': '.'}"), "files_search",
                json("{'path': '.', 'pattern': '*.txt'}"), "files_write", json("{'path': 'b.txt', 'content': 'hi'}"),
                "files_edit", json("{'path': 'b.txt', 'edits': [{'oldText': 'hi', 'newText': 'ho'}]}"), "files_move",
                json("{'source': 'b.txt', 'destination': 'c.txt'}"), "files_info", json("{'path': 'c.txt'}"));
    }

    private static JsonNode json(String text) {
        return JSON.readTree(text.replace('\'', '"'));
    }

    @Override
    protected Call failingCall() {
        return new Call("files_read", json("{'path': 'no-such-file.txt'}"));
    }
}
