package org.codeengine.plugin.support;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/** What step executors share when they say whether they can work here: a check that cannot take longer than asked. */
public final class Availability {
    private Availability() {}

    /**
     * Runs a check on a virtual thread and waits at most {@code timeout} for it; a check still running then is
     * interrupted and left to finish on its own.
     *
     * @param timeout the longest to wait
     * @param late what the answer is when the check takes longer: one sentence, why and what to do
     * @param check empty when usable, else why not; an exception it throws is reported with its message
     * @return the check's answer, or {@code late} when it took longer than {@code timeout}
     */
    public static Optional<String> within(Duration timeout, String late, Supplier<Optional<String>> check) {
        AtomicReference<Optional<String>> answer = new AtomicReference<>();
        Thread worker = Thread.ofVirtual().name("code-availability").start(() -> {
            try {
                answer.set(check.get());
            } catch (RuntimeException e) {
                answer.set(Optional.of(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            }
        });
        try {
            if (!worker.join(timeout)) {
                worker.interrupt();
                return Optional.of(late);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            worker.interrupt();
            return Optional.of(late);
        }
        return answer.get();
    }
}
