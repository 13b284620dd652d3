package org.codeengine.core.internal.events;

import java.time.Instant;
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
        StringBuilder out = new StringBuilder(256);
        out.append("{\"specversion\":\"").append(CloudEvent.SPEC_VERSION).append('"');
        field(out, "id", event.id());
        field(out, "source", event.source());
        field(out, "type", event.type());
        field(out, "subject", event.subject());
        field(out, "time", event.time().toString());
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
