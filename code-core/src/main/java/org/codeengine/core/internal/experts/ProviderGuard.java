package org.codeengine.core.internal.experts;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.codeengine.api.CodeException;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.NonRetriableException;
import org.codeengine.api.RateLimitedException;
import org.codeengine.api.RetriableException;
import org.codeengine.api.UnavailableException;
import org.codeengine.api.experts.ExpertPanel.ProviderLimits;
import org.codeengine.api.spi.RateLimits;

/**
 * The resilience around one provider's calls: a rate limiter and a concurrency limit (bulkhead) shared by its experts,
 * a circuit breaker per expert (a model that fails does not shut out the provider's other models), and retries of
 * retriable errors that honour the provider's retry-after, all within the caller's time budget.
 */
final class ProviderGuard {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(8);
    private final String provider;
    private final int attempts;
    private final RateLimiter rate;
    private final Bulkhead bulkhead;
    private final java.util.concurrent.ConcurrentHashMap<String, CircuitBreaker> breakers = new java.util.concurrent.ConcurrentHashMap<>();
    private final CircuitBreakerConfig breakerConfig;
    private final AtomicLong pausedUntil = new AtomicLong(System.nanoTime());

    ProviderGuard(String provider, ProviderLimits limits, Duration openFor) {
        this.provider = provider;
        this.attempts = limits.attempts();
        int perPeriod = (int) Math.max(1, Math.round(limits.ratePerSecond()));
        Duration period = Duration.ofNanos(Math.max(1_000_000, Math.round(perPeriod / limits.ratePerSecond() * 1e9)));
        this.rate = RateLimiter.of(provider, RateLimiterConfig.custom().limitForPeriod(perPeriod)
                .limitRefreshPeriod(period).timeoutDuration(Duration.ZERO).build());
        this.bulkhead = Bulkhead.of(provider, BulkheadConfig.custom().maxConcurrentCalls(limits.concurrent())
                .maxWaitDuration(Duration.ZERO).build());
        this.breakerConfig = CircuitBreakerConfig.custom().failureRateThreshold(50)
                .slidingWindowSize(10).minimumNumberOfCalls(4).waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1).build();
    }

    /**
     * Makes the call, retrying retriable failures while attempts and time are left.
     *
     * @param expert the expert's id, whose breaker guards the call
     * @param deadlineNanos {@link System#nanoTime()} by which the call must have ended
     * @throws UnavailableException if the breaker is open
     * @throws DeadlineExceededException if no call slot came free in time
     * @throws CodeException the last failure of the call itself
     */
    <T> T call(String expert, long deadlineNanos, Supplier<T> call) throws InterruptedException {
        CircuitBreaker breaker = breakers.computeIfAbsent(expert, e -> CircuitBreaker.of(e, breakerConfig));
        for (int attempt = 1;; attempt++) {
            if (!breaker.tryAcquirePermission()) {
                throw new UnavailableException("circuit breaker of expert '" + expert
                        + "' is open after repeated failures", null, null);
            }
            try {
                acquire(deadlineNanos);
            } catch (RuntimeException | InterruptedException e) {
                breaker.releasePermission();
                throw e;
            }
            RuntimeException failure;
            long began = System.nanoTime();
            try {
                T result = call.get();
                breaker.onSuccess(System.nanoTime() - began, TimeUnit.NANOSECONDS);
                return result;
            } catch (RuntimeException e) {
                if (Thread.currentThread().isInterrupted() || !healthFailure(e)) {
                    breaker.releasePermission(); // the caller gave up, or the request was at fault: not the expert
                } else {
                    breaker.onError(System.nanoTime() - began, TimeUnit.NANOSECONDS, e);
                }
                failure = e;
            } catch (Error e) {
                breaker.onError(System.nanoTime() - began, TimeUnit.NANOSECONDS, e);
                throw e;
            } finally {
                bulkhead.onComplete();
            }
            if (!(failure instanceof RetriableException retriable) || attempt >= attempts || Thread.currentThread()
                    .isInterrupted()) {
                throw failure;
            }
            int tried = attempt;
            retriable.retryAfter().ifPresent(this::pauseFor);
            long wait = retriable.retryAfter().map(Duration::toNanos).orElseGet(() -> backoff(tried));
            if (System.nanoTime() + wait + 50_000_000 >= deadlineNanos) {
                throw failure; // the wait the provider asked for (and a try after it) does not fit in the time left
            }
            Thread.sleep(Duration.ofNanos(wait));
        }
    }

    /**
     * Whether a failure says the expert is unhealthy: outages, timeouts, network errors and anything unexpected. A bad
     * request, an unknown model, a rejected key or a rate limit say nothing about its health.
     */
    private static boolean healthFailure(RuntimeException e) {
        return !(e instanceof NonRetriableException) && !(e instanceof RateLimitedException);
    }

    /**
     * Feeds what the provider said about its limits into this guard: when a reply says no requests (or tokens) are
     * left in the window, or a call was refused with a retry-after, no call of this provider starts until the window
     * resets.
     *
     * @param limits the provider's rate-limit headers of a reply
     */
    void observe(RateLimits limits) {
        if (limits.requestsRemaining() == 0 && limits.requestsReset() != null) {
            pauseFor(limits.requestsReset());
        }
        if (limits.tokensRemaining() == 0 && limits.tokensReset() != null) {
            pauseFor(limits.tokensReset());
        }
    }

    private void pauseFor(Duration wait) {
        long until = System.nanoTime() + Math.min(wait.toNanos(), MAX_BACKOFF.toNanos() * 8);
        pausedUntil.accumulateAndGet(until, (a, b) -> a - b >= 0 ? a : b);
    }

    private void acquire(long deadlineNanos) throws InterruptedException {
        long paused = pausedUntil.get() - System.nanoTime();
        if (paused > 0) {
            if (System.nanoTime() + paused >= deadlineNanos) {
                throw new RateLimitedException("provider '" + provider + "' said its rate limit is spent; it resets in "
                        + Duration.ofNanos(paused) + ", after this call's deadline", Duration.ofNanos(paused), null);
            }
            Thread.sleep(Duration.ofNanos(paused));
        }
        while (!rate.acquirePermission()) {
            waitOrGiveUp(deadlineNanos, "rate limit");
        }
        while (!bulkhead.tryAcquirePermission()) {
            waitOrGiveUp(deadlineNanos, "concurrency limit");
        }
    }

    private void waitOrGiveUp(long deadlineNanos, String what) throws InterruptedException {
        if (System.nanoTime() + 5_000_000 >= deadlineNanos) {
            throw new DeadlineExceededException("no call slot of provider '" + provider + "' came free in time ("
                    + what + ")", null, null);
        }
        Thread.sleep(5);
    }

    private static long backoff(int attempt) {
        long base = Math.min(MAX_BACKOFF.toNanos(), FIRST_BACKOFF.toNanos() << Math.min(attempt - 1, 10));
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1); // equal jitter
    }
}
