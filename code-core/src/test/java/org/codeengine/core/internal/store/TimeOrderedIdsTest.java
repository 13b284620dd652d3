package org.codeengine.core.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Time-ordered run ids: version 7 UUIDs whose text sorts by the clock and whose random part keeps them apart. */
class TimeOrderedIdsTest {
    @Test
    void next_isAVersion7UuidCarryingTheClocksMilliseconds() {
        TestClock clock = new TestClock(Instant.parse("2026-12-07T01:02:03.456Z"));

        UUID id = UUID.fromString(TimeOrderedIds.next(clock));

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(clock.millis());
    }

    @Test
    void ids_sortByTime_asText_andNeverRepeatWithinOneMillisecond() {
        TestClock clock = new TestClock(Instant.parse("2026-12-07T01:00:00Z"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(TimeOrderedIds.next(clock));
            clock.advance(Duration.ofMillis(i % 3 == 0 ? 1 : 700));
        }
        assertThat(ids).isSorted();

        var sameMillisecond = new HashSet<String>();
        for (int i = 0; i < 10_000; i++) {
            sameMillisecond.add(TimeOrderedIds.next(clock));
        }
        assertThat(sameMillisecond).hasSize(10_000);
    }
}
