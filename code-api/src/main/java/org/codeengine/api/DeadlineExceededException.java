package org.codeengine.api;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A call ran past its timeout or its caller's deadline. */
public class DeadlineExceededException extends RetriableException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what went wrong; never a secret
     * @param retryAfter how long to wait before the next try, or {@code null} when nobody said
     * @param cause the underlying failure, or {@code null}
     */
    public DeadlineExceededException(String message, @Nullable Duration retryAfter, @Nullable Throwable cause) {
        super(message, retryAfter, cause);
    }
}
