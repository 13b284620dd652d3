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
import tools.jackson.databind.node.ObjectNode;

/** The CloudEvents 1.0 JSON event format (structured mode) of {@link CloudEvent}. */
public final class CloudEventJson {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CloudEventJson() {}

    /** {@return the event as one line of CloudEvents JSON} */
    public static String write(CloudEvent event) {
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
        return JSON.writeValueAsString(node);
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
