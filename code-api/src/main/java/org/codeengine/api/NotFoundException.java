package org.codeengine.api;

import org.jspecify.annotations.Nullable;

/** A named thing (run, tool, model, plugin, user) does not exist. */
public class NotFoundException extends NonRetriableException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what went wrong, naming the field and the rule; never a secret
     * @param cause the underlying failure, or {@code null}
     */
    public NotFoundException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
