package org.codeengine.core.internal.events;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.security.AuditEntry;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The events an audit entry reports: a failed login, a denied permission, a tool call, a circle's answer. Each is
 * written to the outbox in the transaction that appends the entry. The data holds what the entry holds, less the
 * detail of tool calls (their redacted arguments): an event travels further than the audit log. A threat's entry
 * holds its evidence as JSON in its detail, and its event carries that evidence as data.
 */
public final class AuditCloudEvents {
    /** The audit action of a threat a rule detected, followed by the rule's id. */
    public static final String THREAT_ACTION = "security:threat:";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private AuditCloudEvents() {}

    /** {@return the event the entry reports, if it reports one} */
    public static Optional<CloudEvent> of(AuditEntry entry, String source) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("principal", entry.principalId());
        data.put("action", entry.action());
        data.put("outcome", entry.outcome().name());
        data.put("auditSequence", Long.toString(entry.sequence()));
        String type;
        String subject;
        boolean failed = entry.outcome() != AuditEntry.Outcome.SUCCESS;
        if (entry.action().startsWith(THREAT_ACTION)) {
            type = CloudEvent.THREAT_DETECTED;
            subject = entry.target();
            data.putAll(threatEvidence(entry.detail()));
        } else if (entry.action().startsWith("auth:") && failed) {
            type = CloudEvent.LOGIN_FAILED;
            subject = entry.target().isEmpty() ? entry.principalId() : entry.target();
            data.put("reason", entry.detail());
        } else if (entry.action().startsWith("tool:call:")) {
            type = CloudEvent.TOOL_CALLED;
            subject = entry.target();
        } else if (entry.action().equals("expert:query") && !failed) {
            type = CloudEvent.CONSENSUS_REACHED;
            subject = entry.principalId();
            data.put("trace", entry.target());
            data.put("summary", entry.detail());
        } else if (entry.outcome() == AuditEntry.Outcome.DENIED) {
            type = CloudEvent.ACCESS_DENIED;
            subject = entry.principalId();
            data.put("reason", entry.detail());
        } else {
            return Optional.empty();
        }
        return Optional.of(new CloudEvent(UUID.randomUUID().toString(), source, type, clip(subject), entry.at(),
                data));
    }

    /** {@return the event of a signed checkpoint: subject the key id, data the tree size and root} */
    public static CloudEvent checkpoint(long treeSize, String root, String keyId, java.time.Instant at,
            String source) {
        return new CloudEvent(UUID.randomUUID().toString(), source, CloudEvent.AUDIT_CHECKPOINT, clip(keyId), at, Map
                .of("treeSize", Long.toString(treeSize), "root", root));
    }

    /**
     * The detail of a threat's audit entry: its evidence as a JSON object of strings, which the event's data carries.
     *
     * @param evidence the rule, severity, count, window, responses and what the signals showed; never a secret
     * @return the detail text
     */
    public static String threatDetail(Map<String, String> evidence) {
        ObjectNode node = JSON.createObjectNode();
        evidence.forEach(node::put);
        return JSON.writeValueAsString(node);
    }

    private static Map<String, String> threatEvidence(String detail) {
        Map<String, String> evidence = new LinkedHashMap<>();
        try {
            JSON.readTree(detail).properties().forEach(e -> evidence.put(e.getKey(), e.getValue().asString()));
        } catch (JacksonException e) {
            evidence.put("detail", detail); // written by hand, not by the detector
        }
        return evidence;
    }

    private static String clip(String subject) {
        return subject.length() <= 500 ? subject : subject.substring(0, 500);
    }
}
