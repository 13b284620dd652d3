package org.codeengine.api;

/**
 * The version of this API that plugins declare they were built for. A plugin returns {@link #CURRENT} from
 * {@link org.codeengine.api.spi.Plugin#apiVersion()}; the compiler copies the constant into the plugin, so the engine
 * can compare it with the API it runs on and warn on a mismatch.
 */
public final class ApiVersion {
    /** The API version, {@code major.minor}: a new major breaks plugins, a new minor only adds. */
    public static final String CURRENT = "1.0";

    private ApiVersion() {}
}
