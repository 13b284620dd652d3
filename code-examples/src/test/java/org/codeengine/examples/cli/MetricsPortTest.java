package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --metrics-port} on the long commands: checked at once, and the endpoint lives as long as the command. */
class MetricsPortTest {
    @TempDir
    Path home;

    @Test
    void eventsTail_servesMetricsWhileItFollows_andRefusesTheFlagWithoutFollow() {
        Cli.Result refused = new Cli(home).run("events", "tail", "--metrics-port", "0");
        assertThat(refused.exit()).isEqualTo(2);
        assertThat(refused.err()).contains("--metrics-port").contains("--follow");

        Cli.Result outOfRange = new Cli(home).run("events", "tail", "--follow", "--metrics-port", "70000");
        assertThat(outOfRange.exit()).isEqualTo(2);
        assertThat(outOfRange.err()).contains("--metrics-port must be between 0 and 65535");

        Cli.Result followed = new Cli(home).run("events", "tail", "--follow", "--timeout", "1s", "--metrics-port", "0");
        assertThat(followed.exit()).as(followed.err()).isZero();
        assertThat(followed.err()).containsPattern("serving metrics at http://127\\.0\\.0\\.1:\\d+/metrics");
    }
}
