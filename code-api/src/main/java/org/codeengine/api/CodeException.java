package org.codeengine.api;

import org.jspecify.annotations.Nullable;

/**
 * The root of every exception CODE throws on purpose. It is unchecked and has two branches:
 * {@link RetriableException} (the same call may succeed later: rate limits, timeouts, unavailability) and
 * {@link NonRetriableException} (it will fail the same way again: authentication, invalid input, not found, policy
 * denied). Messages never hold secrets.
 */
public abstract sealed class CodeException extends RuntimeException permits RetriableException, NonRetriableException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what went wrong, naming the field or the resource; never a secret
     * @param cause the underlying failure, or {@code null}
     */
    protected CodeException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    /** {@return {@code true} when the same call may succeed if it is made again later} */
    public abstract boolean retriable();
}
