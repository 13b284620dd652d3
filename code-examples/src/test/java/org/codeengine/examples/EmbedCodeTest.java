package org.codeengine.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding snippet is {@link EmbedCode}'s code, word for word, and it runs. */
class EmbedCodeTest {
    private static String words(String code) {
        return code.replaceAll("\\s+", " ").strip();
    }

    private static String between(String text, String begin, String end) {
        int from = text.indexOf(begin);
        int to = text.indexOf(end, from + 1);
        assertThat(from).as("marker " + begin).isNotNegative();
        assertThat(to).as("marker " + end).isGreaterThan(from);
        return text.substring(from + begin.length(), to);
    }

    @Test
    void theReadmeSnippet_isTheTwinsCode() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        String section = between(readme, "## Embedding CODE in a host application", "\n## ");
        String snippet = between(section, "```java\n", "```");
        String twin = between(Files.readString(Path.of("src/main/java/org/codeengine/examples/EmbedCode.java")),
                "// README:begin", "// README:end");

        assertThat(words(snippet)).isEqualTo(words(twin));
    }

    @Test
    void theTwin_plansAndVerifiesTheAuditLog(@TempDir Path dir) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean intact = EmbedCode.run(dir.resolve("db/code-db"), new PrintStream(bytes, true,
                StandardCharsets.UTF_8));

        assertThat(intact).isTrue();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("deployment hello to dev: 2 services in 2 phases")
                .contains("audit log intact: true");
    }
}
