package org.codeengine.api;

import org.jspecify.annotations.Nullable;

/** The store cannot be used as it is: a failed migration, a schema written by a newer CODE, a broken constraint. */
public class StoreException extends NonRetriableException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what went wrong, naming the field and the rule; never a secret
     * @param cause the underlying failure, or {@code null}
     */
    public StoreException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
