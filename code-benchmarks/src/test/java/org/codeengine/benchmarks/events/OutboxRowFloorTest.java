package org.codeengine.benchmarks.events;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The row floor's shapes write and drain their events on H2, and its arguments are checked. */
class OutboxRowFloorTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // shapes without a pending column once made the blocks loop forever
    void everyShape_writesItsEvents_andEachDrainFindsOneLinePerEvent_onH2() {
        // blocks of 7 writes (a warm-up round and one counted) drained every 3: four drains, each checking that the
        // pending column holds one line per event written since the one before
        assertThatCode(() -> OutboxRowFloor.main(new String[]{"h2", "7", "1",
                "json,queue,seq,body,bytes,run-row,run-row-key,step-row", "3"})).doesNotThrowAnyException();
    }

    @Test
    void anUnknownShape_isNamedWithTheShapesThereAre() {
        assertThatThrownBy(() -> OutboxRowFloor.main(new String[]{"h2", "5", "1", "run-row,row-run"})).isInstanceOf(
                IllegalArgumentException.class).hasMessageStartingWith("shapes must be among [none, json, queue")
                .hasMessageContaining("run-row-key").hasMessageEndingWith(": row-run");
    }

    @Test
    void aNegativeDrainInterval_isNamedWithItsRule() {
        assertThatThrownBy(() -> OutboxRowFloor.main(new String[]{"h2", "5", "1", "run-row", "-1"})).isInstanceOf(
                IllegalArgumentException.class).hasMessage("drain every must be a whole number of at least 0: -1");
    }

    @Test
    void tooManyArguments_getTheUsage() {
        assertThatThrownBy(() -> OutboxRowFloor.main(new String[]{"h2", "5", "1", "run-row", "20", "more"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(
                        "arguments: h2|postgres [writes per block] [rounds] [shapes] [drain every]");
    }
}
