package org.codeengine.plugin.tools.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.codeengine.plugin.support.ToolKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The terraform tools' process runner: the whole tree dies on timeout, output is capped and marked. */
class ProcessesTest {
    @TempDir
    Path dir;

    @Test
    void aChildThatForksAGrandchild_isKilledWithIt_onTimeout() throws Exception {
        Path pid = dir.resolve("grandchild.pid");
        assertThatThrownBy(() -> Processes.run(List.of("/bin/sh", "-c", "sleep 60 & echo $! > " + pid + "; wait"),
                dir, Map.of("PATH", "/usr/bin:/bin"), Duration.ofMillis(700), 1000)).isInstanceOf(
                        ToolKit.ToolFailure.class)
                .hasMessageContaining("was killed with its children");
        long grandchild = Long.parseLong(Files.readString(pid).strip());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(20); // the poll's interval
        }
        assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void output_isCapped_andMarked() {
        Processes.Outcome outcome = Processes.run(List.of("/bin/sh", "-c", "yes | head -c 5000"), dir, Map.of("PATH",
                "/usr/bin:/bin"), Duration.ofSeconds(10), 100);
        assertThat(outcome.output()).hasSize(100);
        assertThat(outcome.truncated()).isTrue();
        assertThat(outcome.exitCode()).isZero();
    }
}
