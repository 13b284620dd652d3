package org.codeengine.core.internal.executors;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.ProbeResult;

/**
 * Healthy when {@code command} (split like a shell would, no shell runs) exits with {@code exitCode} (0 by default)
 * within the probe's timeout; a command that takes longer is killed.
 */
public final class CommandProbe implements HealthProbe {
    private static final Set<String> KEYS = Set.of("command", "exitCode");

    @Override
    public String name() {
        return "command";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public void validate(Map<String, String> settings) {
        Settings.onlyKnown(settings, KEYS, Set.of());
        CommandLine.split(Settings.required(settings, "command"), "setting 'command'");
        Settings.integer(settings, "exitCode", 0, 255, 0);
    }

    @Override
    public ProbeResult probe(Map<String, String> settings, Duration timeout) {
        List<String> command = CommandLine.split(Settings.required(settings, "command"), "setting 'command'");
        int expected = Settings.integer(settings, "exitCode", 0, 255, 0);
        long began = System.nanoTime();
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            return new ProbeResult(false, "cannot run " + command.getFirst() + ": " + e.getMessage(), HttpProbe.took(
                    began));
        }
        try {
            if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
                return new ProbeResult(false, "no exit within " + timeout, HttpProbe.took(began));
            }
            int exit = process.exitValue();
            return new ProbeResult(exit == expected, "exit " + exit, HttpProbe.took(began));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return new ProbeResult(false, "interrupted", HttpProbe.took(began));
        }
    }
}
