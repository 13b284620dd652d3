package org.codeengine.api.spi;

/**
 * What every plugin says about itself. Plugins are found with {@link java.util.ServiceLoader}: register the provider
 * class with {@code provides ... with} in {@code module-info.java} and in {@code META-INF/services}, so it is found on
 * the module path and on the class path.
 */
public interface Plugin {
    /** {@return the name configuration uses to choose this plugin; lower case, unique within its kind} */
    String name();

    /**
     * The API version the plugin was compiled against. Implement it as {@code return ApiVersion.CURRENT;} so the
     * compiler copies the constant into the plugin; the engine warns when it differs from the API it runs on.
     *
     * @return {@code major.minor}
     */
    String apiVersion();
}
