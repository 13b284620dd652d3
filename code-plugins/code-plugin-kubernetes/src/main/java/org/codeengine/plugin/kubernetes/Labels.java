package org.codeengine.plugin.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * CODE's labels and annotations on what it applies: {@code code.run}, {@code code.service} and {@code code.instance}
 * on the Deployment and the Service (labels, so they can be selected; annotations, so they survive a selector
 * change), and {@code code.service} (and {@code code.slot} when slots are on) on the pods. A resume re-attaches by
 * them and an undo removes only what carries its own run.
 *
 * @param run the run
 * @param service the service
 * @param instance the instance that applied the object
 * @param slot the slot, {@code blue} or {@code green}
 */
record Labels(String run, String service, int instance, String slot) {
    static final String RUN = "code.run";
    static final String SERVICE = "code.service";
    static final String INSTANCE = "code.instance";
    static final String SLOT = "code.slot";

    /** {@return what goes on the Deployment's and the Service's metadata} */
    Map<String, String> object() {
        return Map.of(RUN, run, SERVICE, service, INSTANCE, Integer.toString(instance), SLOT, slot);
    }

    /** {@return what goes on the pods: not the run, so a run that changes nothing else rolls nothing} */
    Map<String, String> pods(boolean slots) {
        return slots ? Map.of(SERVICE, service, SLOT, slot) : Map.of(SERVICE, service);
    }

    /** {@return the run whose annotation an object carries, or null if CODE did not apply it} */
    static @Nullable String runOf(@Nullable HasMetadata object) {
        if (object == null || object.getMetadata() == null || object.getMetadata().getAnnotations() == null) {
            return null;
        }
        return object.getMetadata().getAnnotations().get(RUN);
    }
}
