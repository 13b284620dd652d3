package org.codeengine.plugin.replay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.codeengine.api.spi.ExpertProvider;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.plugin.testkit.ExpertProviderCoreContract;
import org.junit.jupiter.api.io.TempDir;

/** A provider with no transport at all passes the transport-free kit every expert provider passes. */
class ReplayProviderContractTest extends ExpertProviderCoreContract {
    @TempDir
    Path dir;

    @Override
    protected ExpertProvider provider() {
        return new ReplayProvider();
    }

    @Override
    protected void setUpBackend() {
        try {
            Files.writeString(dir.resolve("replies.jsonl"), """
                    {"question": "What is six times seven?", "answers": {"%s": "%s"}}
                    """.formatted(MODEL, ANSWER));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected ProviderConfig config() {
        return ProviderConfig.builder().setting("file", dir.resolve(
                "replies.jsonl").toString()).build();
    }

    @Override
    protected void arrange(boolean streamed) {
        // every call is answered from the file written before the client was made
    }
}
