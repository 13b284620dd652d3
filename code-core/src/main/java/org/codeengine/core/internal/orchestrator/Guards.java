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

    /**
     * Runs one start of {@code executor} at {@code target} inside its breaker and bulkhead.
     *
     * @throws UnavailableException if the breaker is open or no start slot came free
     */
    <T> T start(String executor, String target, Supplier<T> start) {
        CircuitBreaker breaker = breakers.circuitBreaker(executor + "@" + target);
        Bulkhead bulkhead = bulkheads.bulkhead(executor);
        try {
            breaker.acquirePermission();
        } catch (CallNotPermittedException e) {
            throw new UnavailableException("starts with executor '" + executor + "' at target '" + target
                    + "' failed too often; its circuit breaker is open for now", null, e);
        }
        long began = breaker.getCurrentTimestamp();
        try {
            bulkhead.acquirePermission();
        } catch (BulkheadFullException e) {
            breaker.releasePermission();
            throw new UnavailableException("no start slot of executor '" + executor + "' came free", null, e);
        }
        try {
            T started = start.get();
            breaker.onSuccess(breaker.getCurrentTimestamp() - began, breaker.getTimestampUnit());
            return started;
        } catch (RuntimeException e) {
            breaker.onError(breaker.getCurrentTimestamp() - began, breaker.getTimestampUnit(), e);
            throw e;
        } finally {
            bulkhead.onComplete();
        }
    }

    /** @return the state of the breaker of {@code executor} at {@code target}, for tests and status displays */
    String breakerState(String executor, String target) {
        return breakers.circuitBreaker(executor + "@" + target).getState().name();
    }
}
