package org.codeengine.plugin.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.spi.ChatMessage;
import org.codeengine.api.spi.ChatRequest;
import org.codeengine.api.spi.ChatResponse;
import org.codeengine.api.spi.ExpertClient;
import org.codeengine.api.spi.ProviderConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayProviderTest {
    @TempDir
    Path dir;

    private static final String LINES = """
            {"question": "What is 2+2?", "gold": "4", "answers": {"m1": "{\\"answer\\": \\"4\\"}", "m2": "five"}}

            {"question": "Capital of France?", "answers": {"m1": "Paris"}}
            """;

    private static ExpertClient client(Path file) {
        return new ReplayProvider().create(new ProviderConfig(null, null, Duration.ofSeconds(5), Map.of("file", file
                .toString())));
    }

    private static ChatRequest ask(String model, String question) {
        return new ChatRequest(model, List.of(new ChatMessage(ChatMessage.Role.SYSTEM, "Answer as JSON."),
                new ChatMessage(ChatMessage.Role.USER, question)), 0, 100, List.of());
    }

    @Test
    void answersWithTheRecordedReplyOfTheModel_toTheLastUserMessage_fromPlainOrGzipFiles() throws IOException {
        Path plain = Files.writeString(dir.resolve("r.jsonl"), LINES);
        Path gz = dir.resolve("r.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(LINES.getBytes(StandardCharsets.UTF_8));
        }
        for (Path file : List.of(plain, gz)) {
            try (ExpertClient client = client(file)) {
                ChatResponse r = client.complete(ask("m1", "  What is 2+2? "));
                assertThat(r.text()).isEqualTo("{\"answer\": \"4\"}");
                assertThat(r.model()).isEqualTo("m1");
                assertThat(r.usage().outputTokens()).isEqualTo(4);
                assertThat(client.complete(ask("m2", "What is 2+2?")).text()).isEqualTo("five");
                assertThat(client.complete(ask("m1", "Capital of France?")).text()).isEqualTo("Paris");
            }
        }
    }

    @Test
    void anUnknownQuestionOrModel_isNotFound() throws IOException {
        try (ExpertClient client = client(Files.writeString(dir.resolve("r.jsonl"), LINES))) {
            assertThatThrownBy(() -> client.complete(ask("m1", "Who?"))).isInstanceOf(NotFoundException.class)
                    .hasMessage("no recorded replies to this question");
            assertThatThrownBy(() -> client.complete(ask("m2", "Capital of France?"))).isInstanceOf(
                    NotFoundException.class).hasMessage("no recorded reply of model 'm2' to this question");
        }
    }

    @Test
    void aBadFile_isAConfigurationError_namingTheLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"question\": \"q\", \"answers\": {}}\n{oops\n");
        assertThatThrownBy(() -> client(bad)).isInstanceOf(ConfigurationException.class).hasMessageContaining(
                "line 2 is not JSON");
        Path shape = Files.writeString(dir.resolve("shape.jsonl"), "{\"question\": 3}\n");
        assertThatThrownBy(() -> client(shape)).hasMessageContaining(
                "line 1 needs a string 'question' and an object 'answers'");
        assertThatThrownBy(() -> client(dir.resolve("missing.jsonl"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("cannot read replay file");
        assertThatThrownBy(() -> new ReplayProvider().create(new ProviderConfig(null, null, Duration.ofSeconds(1),
                Map.of()))).isInstanceOf(ConfigurationException.class).hasMessageContaining("setting 'file'");
    }
}
