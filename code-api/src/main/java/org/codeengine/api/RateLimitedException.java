package org.codeengine.api;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A rate limit was hit, here or at a provider; {@link #retryAfter()} tells how long to wait when known. */
public class RateLimitedException extends RetriableException {
    private static final long serialVersionUID = 1L;

    /**
     * Makes the exception.
     *
     * @param message what went wrong; never a secret
     * @param retryAfter how long to wait before the next try, or {@code null} when nobody said
     * @param cause the underlying failure, or {@code null}
     */
    public RateLimitedException(String message, @Nullable Duration retryAfter, @Nullable Throwable cause) {
        super(message, retryAfter, cause);
    }
}
