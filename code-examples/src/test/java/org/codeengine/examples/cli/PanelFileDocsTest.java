package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.codeengine.api.experts.ExpertPanel;
import org.codeengine.api.experts.ExpertSpec;
import org.codeengine.api.experts.Quorum;
import org.codeengine.api.spi.ProviderConfig;
import org.codeengine.core.ExpertPanels;
import org.junit.jupiter.api.Test;

/** The panel file format, documented once: the commented example in {@code code ask --help} and the README is a panel. */
class PanelFileDocsTest {
    @Test
    void theDocumentedExample_isAWholePanel_withEveryPartRead() {
        ExpertPanel panel = ExpertPanels.parse(AskCommand.PANEL_EXAMPLE);

        assertThat(panel.experts()).extracting(ExpertSpec::provider).containsExactly("openai", "anthropic",
                "ollama");
        ProviderConfig openai = panel.providers().get("openai");
        assertThat(openai.settings()).containsExactlyInAnyOrderEntriesOf(Map.of(ProviderConfig.KEY_REF,
                "env:OPENAI_API_KEY", "organization", "org-example", "stream-idle-timeout", "20s"));
        assertThat(openai.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(panel.providers().get("ollama").base()).contains(URI.create("http://127.0.0.1:11434"));
        assertThat(panel.quorum()).isEqualTo(Quorum.majority());
        assertThat(panel.expertTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(panel.cacheTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(panel.axioms()).hasSize(3);
        assertThat(panel.prices()).containsKey("gpt-4o-mini");
        assertThat(panel.limits()).containsKey("openai");
    }

    @Test
    void theReadme_andAskHelp_showTheSameExample() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String example = AskCommand.PANEL_EXAMPLE.replaceAll("(?m)^  ", ""); // the help indents it by two
        assertThat(readme).contains("```yaml\n" + example + "```");

        Cli.Result help = new Cli(null).run("ask", "--help");
        assertThat(help.exit()).isZero();
        for (String line : AskCommand.PANEL_EXAMPLE.strip().split("\n")) {
            assertThat(help.out()).as("ask --help").contains(line.strip());
        }
    }
}
