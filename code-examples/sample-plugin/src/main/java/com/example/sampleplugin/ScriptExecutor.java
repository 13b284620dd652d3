package com.example.sampleplugin;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.spi.StepContext;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StepHandle;

/**
 * Runs a service as a shell script ({@code sh -c}), its output in a log file under the engine's log folder. Settings:
 * {@code script} (required) and {@code grace}, the seconds a stopped script gets before it is killed (1 to 60, 5 by
 * default). It records the process id and its start time, so that undo, in whatever process, stops this script and
 * never another process that got the same id.
 */
public final class ScriptExecutor implements StepExecutor {
    private static final Set<String> SETTINGS = Set.of("script", "grace");

    /** The executor as ServiceLoader makes it. */
    public ScriptExecutor() {}

    @Override
    public String name() {
        return "sample-script";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public void validate(Map<String, String> settings) {
        Settings.onlyKnown(settings, SETTINGS);
        String script = settings.get("script");
        if (script == null || script.isBlank()) {
            throw new InvalidRequestException("setting 'script' is required and must not be blank", null);
        }
        grace(settings);
    }

    private static Duration grace(Map<String, String> settings) {
        String text = settings.getOrDefault("grace", "5");
        try {
            int seconds = Integer.parseInt(text);
            if (seconds >= 1 && seconds <= 60) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new InvalidRequestException("setting 'grace' must be a whole number of seconds from 1 to 60 but was '"
                + text + "'", null);
    }

    @Override
    public StepHandle start(String service, Map<String, String> settings, StepContext context) {
        validate(settings);
        File log = context.logFolder().resolve(service + "-" + context.instance() + ".log").toFile();
        Process process;
        try {
            log.getParentFile().mkdirs();
            process = new ProcessBuilder("sh", "-c", settings.get("script")).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            throw new UnavailableException("service '" + service + "': cannot start sh: " + e.getMessage(), null, e);
        }
        try {
            context.record(Map.of("pid", Long.toString(process.pid()), "started", started(process.toHandle())
                    .map(Instant::toString).orElse(""), "grace", Long.toString(grace(settings).toSeconds())));
        } catch (RuntimeException e) {
            process.destroyForcibly(); // nothing could undo it later
            throw e;
        }
        context.progress().accept("started script as process " + process.pid());
        return new Handle(process);
    }

    private record Handle(Process process) implements StepHandle {
        @Override
        public void awaitStarted(Duration timeout) {
            if (!process.isAlive()) {
                throw new UnavailableException("the script exited at once with code " + process.exitValue(), null,
                        null);
            }
        }

        @Override
        public boolean alive() {
            return process.isAlive();
        }

        @Override
        public void cancel() {
            process.destroy();
        }
    }

    @Override
    public boolean alive(StepRecord record) {
        return find(record).isPresent();
    }

    @Override
    public void undo(StepRecord record, StepContext context) {
        Optional<ProcessHandle> found = find(record);
        if (found.isEmpty()) {
            return; // gone already, or never started
        }
        ProcessHandle process = found.get();
        process.destroy();
        try {
            process.onExit().get(Long.parseLong(record.outputs().getOrDefault("grace", "5")), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            process.destroyForcibly();
            process.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@return the recorded process, if it still runs and is the one that was started (not a reused id)} */
    private static Optional<ProcessHandle> find(StepRecord record) {
        String pid = record.outputs().get("pid");
        if (pid == null) {
            return Optional.empty();
        }
        String started = record.outputs().getOrDefault("started", "");
        return ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive).filter(p -> started(p).map(
                Instant::toString).orElse("").equals(started));
    }

    private static Optional<Instant> started(ProcessHandle process) {
        return process.info().startInstant();
    }
}
