package org.codeengine.plugin.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ServiceLoader;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.spi.Plugin;

/** Checks every plugin kit makes of what a plugin says about itself. */
final class Plugins {
    private Plugins() {}

    /**
     * Checks that {@code plugin} is registered for {@code kind} (in {@code META-INF/services} or with
     * {@code provides ... with}), names itself in lower case and declares the current API version.
     */
    static <T extends Plugin> void checkRegistered(Class<T> kind, T plugin) {
        assertThat(plugin.name()).as("the plugin's name").matches("[a-z0-9][a-z0-9._-]*");
        assertThat(plugin.apiVersion()).as("the API version %s was built for", plugin.name()).isEqualTo(
                ApiVersion.CURRENT);
        assertThat(ServiceLoader.load(kind, plugin.getClass().getClassLoader()).stream().map(
                ServiceLoader.Provider::type)).as("%s registered as a %s", plugin.getClass().getName(), kind
                        .getSimpleName())
                .contains(plugin.getClass().asSubclass(kind));
    }
}
