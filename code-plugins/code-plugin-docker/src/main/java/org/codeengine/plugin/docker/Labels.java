package org.codeengine.plugin.docker;

import java.util.LinkedHashMap;
import java.util.Map;
import org.codeengine.api.spi.StepContext;

/**
 * The labels and the name every container CODE starts carries. The name is made of the run, service, slot and
 * instance alone, so a start that is repeated after a crash finds the container an earlier process created, and an
 * undo finds it even where the container's id never reached the record.
 */
final class Labels {
    /** CODE's own labels start with this; a service's {@code label.*} settings may not. */
    static final String PREFIX = "code.";
    static final String RUN = "code.run";
    static final String SERVICE = "code.service";
    static final String INSTANCE = "code.instance";
    static final String SLOT = "code.slot";

    private Labels() {}

    /** {@return {@code code-<service>-<slot>-<instance>-<run>}: one name per instance of a run} */
    static String name(StepContext context) {
        return "code-" + context.service() + "-" + context.slot() + "-" + context.instance() + "-" + context.runId();
    }

    /** {@return CODE's labels for the instance, after the user's own} */
    static Map<String, String> of(StepContext context, Map<String, String> extra) {
        Map<String, String> labels = new LinkedHashMap<>(extra);
        labels.putAll(own(context));
        return labels;
    }

    /** {@return the labels that identify the instance} */
    static Map<String, String> own(StepContext context) {
        return Map.of(RUN, context.runId(), SERVICE, context.service(), INSTANCE, Integer.toString(context
                .instance()), SLOT, context.slot());
    }

    /** {@return whether a container's labels say it is this instance's} */
    static boolean belongsTo(Map<String, String> labels, StepContext context) {
        return own(context).entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}
