package org.codeengine.core.internal.events;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.orchestrator.DeploymentEvent;
import org.codeengine.api.orchestrator.RunState;

/** The CloudEvent of each {@link DeploymentEvent}: subject the run, data the event's fields. */
public final class DeploymentCloudEvents {
    private DeploymentCloudEvents() {}

    /**
     * {@return the event as a CloudEvent with a new id}
     *
     * @param event what happened
     * @param engine the name of the engine that saw it (its lease owner name); the event's source is
     *        {@code /code/<engine>}
     */
    public static CloudEvent of(DeploymentEvent event, String engine) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("run", event.runId());
        String type = switch (event) {
            case DeploymentEvent.RunStateChanged e -> {
                data.put("state", e.state().name());
                yield runType(e.state());
            }
            case DeploymentEvent.StepStateChanged e -> {
                data.put("service", e.service());
                data.put("state", e.state().name());
                data.put("message", e.message());
                yield CloudEvent.STEP_STATE_CHANGED;
            }
            case DeploymentEvent.StepRetried e -> {
                data.put("service", e.service());
                data.put("failedAttempt", Integer.toString(e.failedAttempt()));
                data.put("delayMillis", Long.toString(e.delay().toMillis()));
                data.put("error", e.error());
                yield CloudEvent.PREFIX + "deployment.step.retried";
            }
            case DeploymentEvent.HealthChanged e -> {
                data.put("service", e.service());
                data.put("instance", Integer.toString(e.instance()));
                data.put("healthy", Boolean.toString(e.healthy()));
                data.put("detail", e.detail());
                yield CloudEvent.STEP_HEALTH_CHANGED;
            }
        };
        return new CloudEvent(UUID.randomUUID().toString(), source(engine), type, event.runId(), event.at(), data);
    }

    /** {@return {@code /code/<engine>}, cut to the length a source may have} */
    public static String source(String engine) {
        String source = "/code/" + engine;
        return source.length() <= 200 ? source : source.substring(0, 200);
    }

    static String runType(RunState state) {
        return switch (state) {
            case RUNNING -> CloudEvent.DEPLOYMENT_STARTED;
            case ROLLING_BACK -> CloudEvent.DEPLOYMENT_ROLLING_BACK;
            case PENDING -> CloudEvent.PREFIX + "deployment.pending";
            default -> {
                if (!state.terminal()) {
                    throw new IllegalStateException("no event type for run state " + state);
                }
                yield CloudEvent.DEPLOYMENT_FINISHED;
            }
        };
    }

}
