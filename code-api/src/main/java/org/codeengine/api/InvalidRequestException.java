package org.codeengine.api;

import org.jspecify.annotations.Nullable;

/** The input broke a rule; the message names the field and the rule. */
public class InvalidRequestException extends NonRetriableException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what went wrong, naming the field and the rule; never a secret
     * @param cause the underlying failure, or {@code null}
     */
    public InvalidRequestException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
