package org.codeengine.api;

import org.jspecify.annotations.Nullable;

/** The engine's configuration cannot work: an unknown store URL, a plugin that cannot be chosen, a missing setting. */
public class ConfigurationException extends NonRetriableException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what went wrong, naming the field and the rule; never a secret
     * @param cause the underlying failure, or {@code null}
     */
    public ConfigurationException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
