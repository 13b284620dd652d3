package org.codeengine.api;

import org.codeengine.api.internal.Checks;

/**
 * One plugin the engine found, or tried to load.
 *
 * @param kind the SPI it implements, by simple name: {@code ExpertProvider}, {@code StoreProvider}, ...
 * @param name its name, or its class name when it failed before it could say
 * @param version its jar's or module's version, or {@code unknown}
 * @param apiVersion the API version it was built for, or {@code unknown}
 * @param status whether it is usable
 * @param detail why it was skipped or warned about; empty when all is well
 */
public record PluginInfo(String kind, String name, String version, String apiVersion, Status status, String detail) {
    /** Whether a plugin can be used. */
    public enum Status {
        /** Loaded and usable. */
        LOADED,
        /** Usable, but built for another minor API version; see the detail. */
        LOADED_WITH_WARNING,
        /** Not usable: it failed to load, or was built for another major API version; see the detail. */
        FAILED
    }

    /** Checks that the texts are not blank and the other components are present. */
    public PluginInfo {
        Checks.notBlank(kind, "kind");
        Checks.notBlank(name, "name");
        Checks.notBlank(version, "version");
        Checks.notBlank(apiVersion, "apiVersion");
        Checks.notNull(status, "status");
        Checks.notNull(detail, "detail");
    }

    /** {@return whether the engine may use it} */
    public boolean usable() {
        return status != Status.FAILED;
    }
}
