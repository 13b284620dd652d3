package org.codeengine.core.internal.orchestrator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.core.internal.executors.ProcessExecutor;
import org.codeengine.core.testservices.TinyService;
import org.codeengine.plugin.testkit.Await;

/**
 * Specs of {@link TinyService} child processes and what their record file says: who started, who stopped, in which
 * order. Each test gets its own record file.
 */
final class TinyServices {
    static final String JAVA = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty(
            "java.home"), "bin", "java").toString());
    static final String CLASSES = Path.of(codeSource(TinyService.class)).toString();

    final Path record;

    TinyServices(Path dir) {
        this.record = dir.resolve("record.txt");
    }

    /**
     * A service on a port of its own, healthy when its /health answers 200. A service made to answer another status
     * fails after 40 probes (4 s, time for its JVM to start); a healthy one may take up to 30 s to come up.
     */
    ServiceSpec.Builder service(String name, int healthStatus, String... dependsOn) {
        return ServiceSpec.builder(name, "process").dependsOn(dependsOn)
                .setting("command", command(name, healthStatus)).setting("stopGrace", "5s")
                .healthCheck(HealthCheckSpec.http("http://127.0.0.1:${port}/health").withTiming(Duration.ZERO,
                        Duration.ofMillis(100), healthStatus == 200 ? 300 : 40))
                .timeout(Duration.ofSeconds(60)).retry(RetryPolicy.NONE);
    }

    String command(String name, int healthStatus) {
        return "'" + JAVA + "' -XX:TieredStopAtLevel=1 -Xshare:auto -cp '" + CLASSES + "' " + TinyService.class
                .getName() + " --name " + name + " --port ${port} --record '" + record + "' --health "
                + healthStatus;
    }

    List<String> lines() {
        try {
            return Files.exists(record) ? Files.readAllLines(record) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the services in the order they started (a service started twice appears twice)} */
    List<String> started() {
        return lines().stream().filter(l -> l.startsWith("start ")).map(l -> l.split(" ")[1]).toList();
    }

    List<String> stopped() {
        return lines().stream().filter(l -> l.startsWith("stop ")).map(l -> l.split(" ")[1]).toList();
    }

    long starts(String name) {
        return started().stream().filter(name::equals).count();
    }

    List<Long> pids() {
        return lines().stream().filter(l -> l.startsWith("start ")).map(l -> Long.parseLong(l.split(" ")[2]))
                .toList();
    }

    List<Long> alivePids() {
        List<Long> alive = new ArrayList<>();
        for (long pid : pids()) {
            if (ProcessHandle.of(pid).map(p -> !ProcessExecutor.gone(p)).orElse(false)) {
                alive.add(pid); // a zombie has exited: only its reaping is left, to an init that may take seconds
            }
        }
        return alive;
    }

    /** Kills whatever a failed test left behind, so no test leaves a process. */
    void killAll() {
        for (long pid : pids()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Await.until(what, condition, timeout);
    }

    static Optional<Long> pidOf(List<String> lines, String name) {
        return lines.stream().filter(l -> l.startsWith("start " + name + " ")).map(l -> Long.parseLong(l.split(
                " ")[2])).findFirst();
    }

    private static java.net.URI codeSource(Class<?> type) {
        try {
            return type.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
