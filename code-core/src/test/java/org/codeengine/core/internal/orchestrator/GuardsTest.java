package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
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
                guards.start("process", "local", () -> {
                    most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(30);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return inside.decrementAndGet();
                });
                done.countDown();
            });
        }
        done.await();
        assertThat(most.get()).isEqualTo(2);
    }
}
