package org.codeengine.api;

import org.jspecify.annotations.Nullable;

/** A failure that will happen again if the same call is made again: bad input, bad credentials, a denial. */
public non-sealed class NonRetriableException extends CodeException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what went wrong, naming the field and the rule
     * @param cause the underlying failure, or {@code null}
     */
    public NonRetriableException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }

    @Override
    public final boolean retriable() {
        return false;
    }
}
