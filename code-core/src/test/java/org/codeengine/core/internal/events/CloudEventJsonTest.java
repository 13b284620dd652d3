package org.codeengine.core.internal.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.codeengine.api.events.CloudEvent;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The hand-written CloudEvents JSON is the JSON a tree writer makes of the event, on text that needs escaping. */
class CloudEventJsonTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The event as Jackson's tree writes it: what the outbox held before it was written by hand. */
    private static ObjectNode tree(CloudEvent event) {
        ObjectNode node = JSON.createObjectNode();
        node.put("specversion", CloudEvent.SPEC_VERSION);
        node.put("id", event.id());
        node.put("source", event.source());
        node.put("type", event.type());
        node.put("subject", event.subject());
        node.put("time", event.time().toString());
        node.put("datacontenttype", CloudEvent.CONTENT_TYPE);
        ObjectNode data = node.putObject("data");
        event.data().forEach(data::put);
        return node;
    }

    @Test
    void write_givesTheSameJsonAsATreeWriter_forTextThatNeedsEscaping() {
        StringBuilder controls = new StringBuilder();
        for (char c = 0; c < 0x20; c++) {
            controls.append(c);
        }
        CloudEvent event = new CloudEvent("id-\"1\"", "/code/\\host", CloudEvent.STEP_STATE_CHANGED,
                "run \u00e9\u4e2d\ud83d\ude80", Instant.parse("2026-12-06T19:30:00.123456789Z"), Map.of("message",
                        "line 1\nline 2\r\n\ttab \"quoted\" back\\slash", "controls", controls.toString(), "empty",
                        "", "k\"ey\\", "\u007f\u2028\u2029 </script>"));
        String written = CloudEventJson.write(event);
        assertThat(written).doesNotContain("\n").doesNotContain("\r");
        assertThat(JSON.readTree(written)).isEqualTo(tree(event));
        assertThat(CloudEventJson.read(written)).isEqualTo(event);
    }

    @Test
    void write_withoutData_writesAnEmptyObject() {
        CloudEvent event = new CloudEvent("e-2", "/code/h", CloudEvent.AUDIT_CHECKPOINT, "", Instant.EPOCH, Map.of());
        assertThat(CloudEventJson.write(event)).endsWith("\"data\":{}}");
        assertThat(JSON.readTree(CloudEventJson.write(event))).isEqualTo(tree(event));
    }

    @Test
    void time_writesWhatInstantToStringWrites_acrossYearsAndFractions() {
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999Z"),
                Instant.parse("2024-02-29T23:59:59.000000001Z"), Instant.parse("2026-12-07T04:15:00.100Z"),
                Instant.parse("2026-12-07T04:15:00.000100Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("-0001-01-01T00:00:00Z"), Instant.MIN,
                Instant.MAX));
        Random random = new Random(18);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(-100_000_000_000L, 300_000_000_000L);
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            instants.add(Instant.ofEpochSecond(seconds, nano));
        }
        for (Instant instant : instants) {
            StringBuilder out = new StringBuilder();
            CloudEventJson.time(out, instant);
            assertThat(out.toString()).as("%s", instant).isEqualTo(instant.toString());
        }
    }
}
