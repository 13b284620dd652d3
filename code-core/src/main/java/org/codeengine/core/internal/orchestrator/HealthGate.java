package org.codeengine.core.internal.orchestrator;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.spi.HealthProbe;
import org.codeengine.api.spi.ProbeResult;

/** Probes one instance until its health check passes or fails, by the thresholds of the spec. */
final class HealthGate {
    /** Told about the first probe result and each one unlike the one before. */
    interface Listener {
        void changed(boolean healthy, String detail);
    }

    private HealthGate() {}

    /**
     * Returns when the instance has passed {@code successThreshold} probes in a row.
     *
     * @param what the instance, for messages: {@code service 'web' instance 0}
     * @param deadlineNanos the {@link System#nanoTime()} by which it must be healthy
     * @param alive whether what was started still runs; a dead instance fails at once
     * @param exitDetail why a dead instance stopped (exit code, last log lines), if the executor can tell
     * @throws UnavailableException if it failed {@code failureThreshold} probes in a row or stopped running
     * @throws DeadlineExceededException if the deadline passed first
     * @throws InterruptedException if the run is being stopped
     */
    static void await(String what, HealthProbe probe, HealthCheckSpec spec, Map<String, String> settings,
            long deadlineNanos, BooleanSupplier alive, Supplier<Optional<String>> exitDetail, Listener listener)
            throws InterruptedException {
        sleep(spec.initialDelay(), deadlineNanos);
        int successes = 0;
        int failures = 0;
        Boolean last = null;
        String detail = "not probed yet";
        while (true) {
            if (!alive.getAsBoolean()) {
                throw new UnavailableException(what + " stopped running before it was healthy" + exitDetail.get()
                        .map(d -> " (" + d + ")").orElse("") + "; last probe: " + detail, null, null);
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new DeadlineExceededException(what + " was not healthy in time; last probe: " + detail, null,
                        null);
            }
            Duration timeout = min(spec.timeout(), Duration.ofNanos(left));
            ProbeResult result = probe.probe(settings, timeout);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (!result.healthy() && timeout.compareTo(spec.timeout()) < 0 && System.nanoTime() - deadlineNanos >= 0
                    && last != null) {
                continue; // cut short by the deadline: the message keeps what the last whole probe said
            }
            detail = result.detail();
            if (last == null || last != result.healthy()) {
                listener.changed(result.healthy(), detail);
                last = result.healthy();
            }
            if (result.healthy()) {
                failures = 0;
                if (++successes >= spec.successThreshold()) {
                    return;
                }
            } else {
                successes = 0;
                if (++failures >= spec.failureThreshold()) {
                    throw new UnavailableException(what + " failed its health check " + failures
                            + " times in a row; last probe: " + detail, null, null);
                }
            }
            sleep(spec.interval(), deadlineNanos);
        }
    }

    private static void sleep(Duration wait, long deadlineNanos) throws InterruptedException {
        long nanos = Math.min(wait.toNanos(), Math.max(0, deadlineNanos - System.nanoTime()));
        if (nanos > 0) {
            Thread.sleep(Duration.ofNanos(nanos));
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
