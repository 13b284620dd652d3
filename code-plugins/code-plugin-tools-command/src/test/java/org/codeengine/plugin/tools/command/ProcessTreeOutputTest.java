package org.codeengine.plugin.tools.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program that prints and exits at once: its output must be read whole, also when the process has exited before
 * the readers took it (killing what it left must not close the pipes under them).
 */
class ProcessTreeOutputTest {
    @Test
    void theOutputOfAProgramThatExitsAtOnce_isNeverLost(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 200; i++) {
            ProcessTree.Outcome outcome = ProcessTree.run(List.of("/bin/echo", "deploying at noon " + i), dir, Map.of(),
                    10_000, 4096);
            assertThat(outcome.end()).isEqualTo(ProcessTree.End.EXITED);
            assertThat(outcome.stdout()).as("run %d", i).isEqualTo("deploying at noon " + i + "\n");
        }
    }
}
