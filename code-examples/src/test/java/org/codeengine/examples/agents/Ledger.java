package org.codeengine.examples.agents;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.ToolContext;
import org.codeengine.api.spi.ToolProvider;
import org.codeengine.api.tools.ToolAnnotations;
import org.codeengine.api.tools.ToolDescriptor;
import org.codeengine.api.tools.ToolResult;
import tools.jackson.databind.JsonNode;

/**
 * Two tools over a file that counts what ran: {@code ledger_append} (not idempotent) appends a line and syncs it, so
 * the file tells how often each entry was appended; {@code ledger_read} (read-only, so idempotent) takes a while and
 * answers the same for the same key.
 */
final class Ledger implements ToolProvider {
    private final Path file;

    Ledger(Path file) {
        this.file = file;
    }

    @Override
    public String name() {
        return "ledger";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public List<ToolDescriptor> tools() {
        return List.of(new ToolDescriptor("ledger_append", "Appends an entry to the ledger.", Wire.JSON.readTree("""
                {"type": "object", "properties": {"entry": {"type": "string"}}, "required": ["entry"]}"""), null,
                new ToolAnnotations(false, false, false, false)),
                new ToolDescriptor("ledger_read",
                        "Reads a key of the ledger.", Wire.JSON.readTree("""
                                {"type": "object", "properties": {"key": {"type": "string"}}, "required": ["key"]}"""),
                        null, ToolAnnotations.readOnly(false)));
    }

    @Override
    public ToolResult call(String tool, JsonNode arguments, ToolContext context) {
        if (tool.equals("ledger_append")) {
            String entry = arguments.path("entry").asString();
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                out.write(StandardCharsets.UTF_8.encode(entry + "\n"));
                out.force(true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new ToolResult("appended " + entry, null, false);
        }
        try {
            Thread.sleep(60);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ToolResult("interrupted", null, true);
        }
        return new ToolResult("the value of " + arguments.path("key").asString() + " is 42", null, false);
    }

    /** {@return how many times {@code entry} was appended to {@code file}} */
    static long count(Path file, String entry) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file).stream().filter(entry::equals).count() : 0;
    }
}
