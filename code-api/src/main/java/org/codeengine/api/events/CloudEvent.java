package org.codeengine.api.events;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.codeengine.api.internal.Checks;

/**
 * One of CODE's events in the shape of a CloudEvent 1.0 (specversion {@value #SPEC_VERSION}, datacontenttype
 * {@value #CONTENT_TYPE}). Its id is stable: an event delivered twice carries the same id both times, so a consumer
 * de-duplicates on it. Its data holds no secret: the texts in it are what the audit log and the run journal keep.
 *
 * @param id unique, stable across redeliveries
 * @param source who emitted it, a URI reference such as {@code /code/engine-1}
 * @param type the kind, reverse-DNS, such as {@value #DEPLOYMENT_STARTED}
 * @param subject what it is about: a run id, a principal or a tool name
 * @param time when the change it reports happened
 * @param data the event's fields, as flat text; copied
 */
public record CloudEvent(String id, String source, String type, String subject, Instant time,
        Map<String, String> data) {
    /** The CloudEvents version these events follow. */
    public static final String SPEC_VERSION = "1.0";
    /** The content type of {@link #data()} when the event is written as JSON. */
    public static final String CONTENT_TYPE = "application/json";
    /** The prefix of every type CODE emits. */
    public static final String PREFIX = "org.codeengine.";
    /** A run started deploying; subject: the run. */
    public static final String DEPLOYMENT_STARTED = PREFIX + "deployment.started";
    /** A run ended: succeeded, failed, rolled back, cancelled or superseded (in data {@code state}); subject: run. */
    public static final String DEPLOYMENT_FINISHED = PREFIX + "deployment.finished";
    /** A run began rolling back; subject: the run. */
    public static final String DEPLOYMENT_ROLLING_BACK = PREFIX + "deployment.rolling_back";
    /** A step changed state; subject: the run. */
    public static final String STEP_STATE_CHANGED = PREFIX + "deployment.step.state_changed";
    /** The health of a step's instance changed; subject: the run. */
    public static final String STEP_HEALTH_CHANGED = PREFIX + "deployment.step.health_changed";
    /** A login failed; subject: the principal. */
    public static final String LOGIN_FAILED = PREFIX + "security.login_failed";
    /** A threat rule matched; subject: the principal or source. */
    public static final String THREAT_DETECTED = PREFIX + "security.threat_detected";
    /**
     * A performance threshold was crossed (see {@link PerformanceThreshold}); subject: the threshold's name, or for an
     * expert's latency the expert; data: {@code threshold}, {@code measure}, {@code value}, {@code limit},
     * {@code window}, {@code count}.
     */
    public static final String PERFORMANCE_THRESHOLD_EXCEEDED = PREFIX + "performance.threshold_exceeded";
    /** A permission was denied; subject: the principal. */
    public static final String ACCESS_DENIED = PREFIX + "security.access_denied";
    /** A circle of experts answered a query; subject: the principal who asked. */
    public static final String CONSENSUS_REACHED = PREFIX + "consensus.reached";
    /** A tool was called; subject: the tool. */
    public static final String TOOL_CALLED = PREFIX + "tool.called";
    /** The audit log signed a checkpoint; subject: the key that signed it. */
    public static final String AUDIT_CHECKPOINT = PREFIX + "audit.checkpoint";

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if a text is blank, longer than its column allows (id 64, type 200, subject
     *         500, source 200), or {@code type} does not start with a letter
     * @throws NullPointerException if an argument is null
     */
    public CloudEvent {
        Checks.notBlank(id, "id");
        Checks.notBlank(source, "source");
        Checks.notBlank(type, "type");
        Checks.notNull(subject, "subject");
        Checks.notNull(time, "time");
        Checks.notNull(data, "data");
        longest(id, 64, "id");
        longest(source, 200, "source");
        longest(type, 200, "type");
        longest(subject, 500, "subject");
        if (!Character.isLetter(type.charAt(0))) {
            throw new IllegalArgumentException("type must start with a letter but was '" + type + "'");
        }
        data.forEach((k, v) -> {
            Checks.notNull(k, "data key");
            Checks.notNull(v, "data value of " + k);
        });
        data = java.util.Collections.unmodifiableMap(new TreeMap<>(data));
    }

    private static void longest(String value, int max, String field) {
        if (value.length() > max) {
            throw new IllegalArgumentException(field + " must be at most " + max + " characters but was "
                    + value.length());
        }
    }
}
