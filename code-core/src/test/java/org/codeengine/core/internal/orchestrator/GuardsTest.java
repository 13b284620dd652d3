package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.codeengine.api.UnavailableException;
import org.junit.jupiter.api.Test;

/** The circuit breaker per executor target and the bulkhead per executor around starts. */
class GuardsTest {
    @Test
    void aTargetThatKeepsFailing_tripsItsBreaker_withoutStoppingOtherTargets() {
        Guards guards = new Guards(4, Duration.ofMinutes(1));
        AtomicInteger calls = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> guards.start("docker", "host-a", () -> {
                calls.incrementAndGet();
                throw new UnavailableException("daemon down", null, null);
            })).hasMessage("daemon down");
        }
        assertThat(guards.breakerState("docker", "host-a")).isEqualTo("OPEN");
        assertThatThrownBy(() -> guards.start("docker", "host-a", calls::incrementAndGet)).isInstanceOf(
                UnavailableException.class).hasMessageContaining("circuit breaker is open");
        assertThat(calls).hasValue(5);
        assertThat(guards.start("docker", "host-b", () -> "started")).isEqualTo("started");
    }

    @Test
    void theBulkhead_letsOnlySoManyStartsOfOneExecutorRunAtOnce() throws Exception {
        Guards guards = new Guards(2, Duration.ofMinutes(1));
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(6);
        for (int i = 0; i < 6; i++) {
            Thread.ofVirtual().start(() -> {
                try {
                    guards.start("process", "local", () -> {
                        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        try {
                            Thread.sleep(30);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return inside.decrementAndGet();
                    });
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("all six starts ended").isTrue();
        assertThat(most.get()).isEqualTo(2);
    }

    /** Stands for the orchestrator's own exceptions: the run stops, or lost its lease. */
    static final class RunStopping extends RuntimeException implements Guards.NotTheTargets {
        private static final long serialVersionUID = 1L;

        RunStopping() {
            super("stopping");
        }
    }

    @Test
    void exceptionsThatSayNothingAboutTheTarget_doNotTripItsBreaker() {
        Guards guards = new Guards(4, Duration.ofMinutes(1));
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> guards.start("docker", "host-a", () -> {
                throw new RunStopping();
            })).isInstanceOf(RunStopping.class);
        }
        assertThat(guards.breakerState("docker", "host-a")).isEqualTo("CLOSED");
        assertThat(guards.start("docker", "host-a", () -> "started")).isEqualTo("started");
    }

    @Test
    void aWaitForAStartSlot_endsWhenTheWaiterIsInterrupted_andGivesBackNothingItDidNotTake() throws Exception {
        Guards guards = new Guards(1, Duration.ofMinutes(1));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofVirtual().start(() -> guards.start("process", "local", () -> {
            holding.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "held";
        }));
        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();

        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Guards.Wait wait = new Guards.Wait() {
            @Override
            public void begin() {
                waiting.countDown();
            }

            @Override
            public void end() {
                if (Thread.interrupted()) {
                    throw new RunStopping();
                }
            }
        };
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                guards.start("process", "local", wait, () -> "never");
                outcome.complete(null);
            } catch (RuntimeException e) {
                outcome.complete(e);
            }
        });
        assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
        waiter.interrupt(); // the bulkhead would make it wait 10 minutes
        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(RunStopping.class);

        release.countDown();
        holder.join();
        assertThat(guards.start("process", "local", () -> "free again")).as("the slot came back once").isEqualTo(
                "free again");
        assertThat(guards.breakerState("process", "local")).isEqualTo("CLOSED");
    }
}
