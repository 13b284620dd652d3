package org.codeengine.core.internal.events;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.events.CloudEvent;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The CloudEvents 1.0 JSON event format (structured mode) of {@link CloudEvent}. */
public final class CloudEventJson {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CloudEventJson() {}

    /**
     * Writes the event by hand, not through a tree: this runs in the store transaction of every state change that
     * reports an event, so it must cost little beside it.
     *
     * @return the event as one line of CloudEvents JSON
     */
    public static String write(CloudEvent event) {
        StringBuilder out = new StringBuilder(512); // a step's event is about 370 characters: no regrowth
        out.append("{\"specversion\":\"").append(CloudEvent.SPEC_VERSION).append('"');
        field(out, "id", event.id());
        field(out, "source", event.source());
        field(out, "type", event.type());
        field(out, "subject", event.subject());
        out.append(",\"time\":\"");
        time(out, event.time());
        out.append('"');
        field(out, "datacontenttype", CloudEvent.CONTENT_TYPE);
        out.append(",\"data\":{");
        boolean first = true;
        for (Map.Entry<String, String> entry : event.data().entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            string(out, entry.getKey());
            out.append(':');
            string(out, entry.getValue());
        }
        return out.append("}}").toString();
    }

    /** The first second of the year 10000: from it on, years take more than four digits (and a sign). */
    private static final long YEAR_10000 = 253_402_300_800L;

    /**
     * Appends the instant as {@link Instant#toString} writes it (ISO-8601 in UTC, the fraction in groups of three
     * digits, none if zero), without its formatter, which cost a state change's event more than the rest of its JSON:
     * by hand for the years 1970 to 9999, by the JDK before and after.
     */
    static void time(StringBuilder out, Instant time) {
        long seconds = time.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) {
            out.append(time);
            return;
        }
        LocalDate date = LocalDate.ofEpochDay(seconds / 86_400);
        int second = (int) (seconds % 86_400);
        digits(out, date.getYear(), 4);
        digits(out.append('-'), date.getMonthValue(), 2);
        digits(out.append('-'), date.getDayOfMonth(), 2);
        digits(out.append('T'), second / 3600, 2);
        digits(out.append(':'), second / 60 % 60, 2);
        digits(out.append(':'), second % 60, 2);
        int nano = time.getNano();
        if (nano != 0) {
            out.append('.');
            if (nano % 1_000_000 == 0) {
                digits(out, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                digits(out, nano / 1000, 6);
            } else {
                digits(out, nano, 9);
            }
        }
        out.append('Z');
    }

    /** Appends a value of at most {@code width} digits, zero-padded to them. */
    private static void digits(StringBuilder out, int value, int width) {
        for (int unit = TEN_TO[width - 1]; unit > 0; unit /= 10) {
            out.append((char) ('0' + value / unit % 10));
        }
    }

    private static final int[] TEN_TO = {1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private static void field(StringBuilder out, String name, String value) {
        out.append(",\"").append(name).append("\":");
        string(out, value);
    }

    /** Appends a JSON string (RFC 8259 section 7): quotes, backslashes and control characters escaped. */
    static void string(StringBuilder out, String value) {
        out.append('"');
        int clean = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(value, clean, i);
            clean = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c
                        & 0xF, 16));
            }
        }
        out.append(value, clean, value.length()).append('"');
    }

    /**
     * {@return the event the JSON holds}
     *
     * @throws InvalidRequestException naming the attribute if the JSON is not a CloudEvent 1.0 of CODE's shape
     */
    public static CloudEvent read(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new InvalidRequestException("event: not JSON: " + e.getOriginalMessage(), e);
        }
        if (!node.isObject()) {
            throw new InvalidRequestException("event: must be a JSON object", null);
        }
        String version = text(node, "specversion");
        if (!CloudEvent.SPEC_VERSION.equals(version)) {
            throw new InvalidRequestException("event.specversion must be " + CloudEvent.SPEC_VERSION + " but was "
                    + version, null);
        }
        Map<String, String> data = new LinkedHashMap<>();
        JsonNode d = node.get("data");
        if (d != null && !d.isNull()) {
            if (!d.isObject()) {
                throw new InvalidRequestException("event.data must be a JSON object", null);
            }
            for (Map.Entry<String, JsonNode> field : d.properties()) {
                data.put(field.getKey(), field.getValue().isString()
                        ? field.getValue().asString()
                        : field.getValue()
                                .toString());
            }
        }
        Instant time;
        try {
            time = Instant.parse(text(node, "time"));
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("event.time must be an RFC 3339 time but was " + text(node, "time"),
                    e);
        }
        try {
            return new CloudEvent(text(node, "id"), text(node, "source"), text(node, "type"), node.has("subject")
                    ? text(node, "subject")
                    : "", time, data);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidRequestException("event: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString()) {
            throw new InvalidRequestException("event." + field + " must be a string", null);
        }
        return value.asString();
    }
}
