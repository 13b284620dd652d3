package org.codeengine.api;

import org.jspecify.annotations.Nullable;

/** The security policy denied the call: a missing permission, or a tool or model the policy forbids. */
public class PolicyDeniedException extends NonRetriableException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what went wrong, naming the field and the rule; never a secret
     * @param cause the underlying failure, or {@code null}
     */
    public PolicyDeniedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
