package org.codeengine.core.internal.orchestrator;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import java.util.function.Supplier;
import org.codeengine.api.UnavailableException;

/**
 * The resilience around executor starts: a circuit breaker per executor and target, so a broken Docker host stops
 * being hammered, and a bulkhead per executor, so one executor cannot take every start slot.
 */
final class Guards {
    private final CircuitBreakerRegistry breakers;
    private final BulkheadRegistry bulkheads;

    Guards(int startsPerExecutor, Duration openFor) {
        this.breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom().failureRateThreshold(50)
                .slidingWindowSize(10).minimumNumberOfCalls(5).waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1).build());
        this.bulkheads = BulkheadRegistry.of(BulkheadConfig.custom().maxConcurrentCalls(startsPerExecutor)
                .maxWaitDuration(Duration.ofMinutes(10)).build());
    }

    /** Marks an exception that says nothing about the target: the run is stopping or lost its lease. */
    interface NotTheTargets {}

    /** Brackets the wait for a start slot: the caller may be interrupted in it, and only in it. */
    interface Wait {
        Wait NONE = new Wait() {
            @Override
            public void begin() {}

            @Override
            public void end() {}
        };

        void begin();

        /** Clears an interrupt meant for the wait; may throw to say the caller is stopping. */
        void end();
    }

    /**
     * Runs one start of {@code executor} at {@code target} inside its breaker and bulkhead.
     *
     * @throws UnavailableException if the breaker is open or no start slot came free
     */
    <T> T start(String executor, String target, Supplier<T> start) {
        return start(executor, target, Wait.NONE, start);
    }

    /**
     * Runs one start of {@code executor} at {@code target} inside its breaker and bulkhead, waiting for a start slot
     * between {@code wait.begin()} and {@code wait.end()}. An exception that is {@link NotTheTargets} does not count
     * against the target's breaker.
     *
     * @throws UnavailableException if the breaker is open or no start slot came free
     */
    <T> T start(String executor, String target, Wait wait, Supplier<T> start) {
        CircuitBreaker breaker = breakers.circuitBreaker(executor + "@" + target);
        Bulkhead bulkhead = bulkheads.bulkhead(executor);
        try {
            breaker.acquirePermission();
        } catch (CallNotPermittedException e) {
            throw new UnavailableException("starts with executor '" + executor + "' at target '" + target
                    + "' failed too often; its circuit breaker is open for now", null, e);
        }
        long began = breaker.getCurrentTimestamp();
        boolean permitted = false;
        try {
            wait.begin();
            try {
                bulkhead.acquirePermission(); // an interrupt ends the wait with BulkheadFullException
                permitted = true;
            } finally {
                wait.end();
            }
        } catch (BulkheadFullException e) {
            breaker.releasePermission();
            throw new UnavailableException("no start slot of executor '" + executor + "' came free", null, e);
        } catch (RuntimeException | Error e) {
            if (permitted) {
                bulkhead.onComplete();
            }
            breaker.releasePermission();
            throw e;
        }
        try {
            T started = start.get();
            breaker.onSuccess(breaker.getCurrentTimestamp() - began, breaker.getTimestampUnit());
            return started;
        } catch (RuntimeException | Error e) {
            if (e instanceof NotTheTargets) {
                breaker.releasePermission();
            } else {
                breaker.onError(breaker.getCurrentTimestamp() - began, breaker.getTimestampUnit(), e);
            }
            throw e;
        } finally {
            bulkhead.onComplete();
        }
    }

    /** {@return the state of the breaker of {@code executor} at {@code target}, for tests and status displays} */
    String breakerState(String executor, String target) {
        return breakers.circuitBreaker(executor + "@" + target).getState().name();
    }
}
