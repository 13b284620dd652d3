package org.codeengine.api;

import org.jspecify.annotations.Nullable;

/** Credentials were missing, wrong, expired or revoked. The message never says which secret was tried. */
public class AuthenticationException extends NonRetriableException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what went wrong, naming the field and the rule; never a secret
     * @param cause the underlying failure, or {@code null}
     */
    public AuthenticationException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
