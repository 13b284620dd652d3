package org.codeengine.core.internal.executors;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.spi.StepContext;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StepHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a service as a local child process. Settings: {@code command} (required; split like a shell would, but no
 * shell runs; its program must exist when the plan is made, unless placeholders make it up), {@code dir} (working
 * directory), {@code env.NAME} (environment variables), {@code secretEnv.NAME} (a variable whose value is a secret,
 * given by reference: {@code vault:name} or {@code env:NAME}), {@code log} (the file its output goes to; by default
 * {@code <engine's log folder>/<run>/<service>-<instance>.log}, folders and file readable by their owner only) and
 * {@code stopGrace} (how long it gets to exit after SIGTERM before SIGKILL; 10s by default). It records the process
 * id and start time, so that another process can stop it after a restart and a reused process id is never stopped by
 * mistake. Each child carries {@link ProcessMarks} in its environment (run, service, instance), so that one started
 * by an engine that died before recording it is found and stopped by {@link #sweep}.
 */
public final class ProcessExecutor implements StepExecutor {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessExecutor.class);
    private static final Set<String> KEYS = Set.of("command", "dir", "log", "stopGrace");
    private static final Set<String> PREFIXES = Set.of("env.", "secretEnv.");
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(10);
    /**
     * A test hook: the JVM halts right after it starts a process of the service this system property names, before it
     * records the process, as an engine killed in that window would.
     */
    static final String HALT_AFTER_START = "org.codeengine.test.haltAfterStartOf";

    @Override
    public String name() {
        return "process";
    }

    @Override
    public String apiVersion() {
        return ApiVersion.CURRENT;
    }

    @Override
    public void validate(Map<String, String> settings) {
        validate(settings, Set.of());
    }

    /** The references in {@code secretEnv.NAME} settings: variables whose values are secrets. */
    @Override
    public Set<SecretRef> secretRefs(Map<String, String> settings) {
        Set<SecretRef> refs = new LinkedHashSet<>();
        settings.forEach((key, value) -> {
            if (key.startsWith("secretEnv.")) {
                refs.add(SecretRef.inSetting(key, value));
            }
        });
        return refs;
    }

    @Override
    public void validate(Map<String, String> settings, Set<String> templated) {
        Settings.onlyKnown(settings, KEYS, PREFIXES);
        secretRefs(settings);
        List<String> command = CommandLine.split(Settings.required(settings, "command"), "setting 'command'");
        String dir = settings.get("dir");
        if (dir != null && !templated.contains("dir") && !Files.isDirectory(Path.of(dir))) {
            throw new InvalidRequestException("setting 'dir' must be an existing directory but was '" + dir + "'",
                    null);
        }
        Settings.duration(settings, "stopGrace", DEFAULT_GRACE);
        if (!templated.contains("command") && (dir == null || !templated.contains("dir"))) {
            Programs.resolve(command.getFirst(), dir);
        }
    }

    @Override
    public StepHandle start(String service, Map<String, String> settings, StepContext context) {
        validate(settings, Set.of("command")); // a program that is missing now fails the start, naming the service
        List<String> command = CommandLine.split(settings.get("command"), "setting 'command'");
        Duration grace = Settings.duration(settings, "stopGrace", DEFAULT_GRACE);
        Path log = settings.containsKey("log")
                ? Path.of(settings.get("log"))
                : context.logFolder().resolve(context.runId()).resolve(service + "-" + context.instance() + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect
                .appendTo(log.toFile())).redirectInput(Redirect.from(Path.of("/dev/null").toFile()));
        if (settings.containsKey("dir")) {
            builder.directory(Path.of(settings.get("dir")).toFile());
        }
        settings.forEach((key, value) -> {
            if (key.startsWith("env.")) {
                builder.environment().put(key.substring(4), value);
            } else if (key.startsWith("secretEnv.")) {
                builder.environment().put(key.substring("secretEnv.".length()), context.secret(SecretRef.inSetting(
                        key, value)).reveal());
            }
        });
        builder.environment().putAll(ProcessMarks.of(context.runId(), service, context.instance()));
        Process process;
        try {
            OwnerOnly.file(log);
            process = builder.start();
        } catch (IOException e) {
            throw new InvalidRequestException("cannot start '" + command.getFirst() + "' for service '" + service
                    + "': " + e.getMessage(), e);
        }
        if (service.equals(System.getProperty(HALT_AFTER_START))) {
            Runtime.getRuntime().halt(86);
        }
        ProcessHandle handle = process.toHandle();
        try {
            context.record(Map.of("pid", Long.toString(handle.pid()), "started", startOf(handle).map(i -> Long
                    .toString(i.toEpochMilli())).orElse(""), "stopGrace", grace.toString(), "log", log.toString()));
            context.progress().accept("started process " + handle.pid() + ", output in " + log);
        } catch (RuntimeException | Error e) {
            // not recorded, so nothing could ever undo it: stop it now rather than leave it running
            try {
                stop(handle, grace);
            } catch (RuntimeException stopFailed) {
                e.addSuppressed(stopFailed);
            }
            throw e;
        }
        return new Started(process, grace, log);
    }

    @Override
    public void undo(StepRecord record, StepContext context) {
        find(record).ifPresent(process -> stop(process, grace(record)));
    }

    /** Stops the live processes marked with the context's run and instance of the service: none was recorded. */
    @Override
    public void sweep(String service, Map<String, String> settings, StepContext context) {
        Duration grace;
        try {
            grace = Settings.duration(settings, "stopGrace", DEFAULT_GRACE);
        } catch (InvalidRequestException templated) { // a placeholder, unfilled here
            grace = DEFAULT_GRACE;
        }
        for (ProcessHandle orphan : ProcessMarks.find(context.runId(), service, context.instance())) {
            LOG.warn("run {}: stopping process {} of service '{}' instance {}; it was started but never recorded",
                    context.runId(), orphan.pid(), service, context.instance());
            stop(orphan, grace);
        }
    }

    @Override
    public boolean alive(StepRecord record) {
        return find(record).map(p -> !gone(p)).orElse(false);
    }

    /** {@return the recorded process, if it still runs and is the one that was started (not a reused id)} */
    private static Optional<ProcessHandle> find(StepRecord record) {
        String pid = record.outputs().get("pid");
        if (pid == null) {
            return Optional.empty();
        }
        String started = record.outputs().getOrDefault("started", "");
        return ProcessHandle.of(Long.parseLong(pid)).filter(p -> started.isEmpty() || startOf(p).map(i -> Long
                .toString(i.toEpochMilli()).equals(started)).orElse(false));
    }

    private static Duration grace(StepRecord record) {
        try {
            return Duration.parse(record.outputs().getOrDefault("stopGrace", DEFAULT_GRACE.toString()));
        } catch (RuntimeException e) {
            return DEFAULT_GRACE;
        }
    }

    private static Optional<Instant> startOf(ProcessHandle process) {
        return process.info().startInstant();
    }

    /** SIGTERM to the process and its descendants, then SIGKILL to what is left after the grace period. */
    static void stop(ProcessHandle process, Duration grace) {
        List<ProcessHandle> family = process.descendants().toList();
        process.destroy();
        family.forEach(ProcessHandle::destroy);
        if (!exited(process, grace)) {
            LOG.warn("process {} did not stop within {} of SIGTERM; sending SIGKILL", process.pid(), grace);
            process.destroyForcibly();
            if (!exited(process, Duration.ofSeconds(10))) {
                throw new UnavailableException("process " + process.pid() + " did not stop even after SIGKILL", null,
                        null);
            }
        }
        family.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Waits for the process to exit, checking often: the JDK's {@code onExit} of a process another JVM started polls
     * from 300 ms up to 5 s apart, and never ends for a zombie that nobody reaps.
     *
     * @return whether it exited within {@code wait}
     */
    static boolean exited(ProcessHandle process, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = 1;
        try {
            while (!gone(process)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    process.onExit().get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(pause)), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    pause = Math.min(pause * 2, 50);
                } catch (ExecutionException e) {
                    // checked again by gone()
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return false;
        }
    }

    /**
     * {@return whether the process has exited: it is not alive, or it is a zombie that another process than this one
     *         must reap (Linux; an init reaps orphans seconds later, and {@link ProcessHandle#isAlive} says true
     *         until then); this JVM reaps its own children at once}
     */
    public static boolean gone(ProcessHandle process) {
        if (!process.isAlive()) {
            return true;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            // pid (name) state ppid ...: the name in parentheses may hold blanks and parentheses
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            return after[0].equals("Z") && Long.parseLong(after[1]) != ProcessHandle.current().pid();
        } catch (IOException | RuntimeException e) {
            return !process.isAlive(); // no /proc: not Linux, or it has just exited
        }
    }

    /** A process this JVM started. */
    private record Started(Process process, Duration grace, Path log) implements StepHandle {
        @Override
        public void awaitStarted(Duration timeout) {
            if (!process.isAlive()) {
                throw new UnavailableException("process " + process.pid() + " exited with code " + process
                        .exitValue() + " as soon as it started; its output is in " + log, null, null);
            }
        }

        @Override
        public boolean alive() {
            // the JDK marks its Process exited a moment after the child is reaped: ask the handle too
            return process.isAlive() && !gone(process.toHandle());
        }

        @Override
        public void cancel() {
            if (process.isAlive()) {
                stop(process.toHandle(), grace);
            }
        }
    }
}
