package org.codeengine.api;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** A failure that may pass if the call is made again later: a rate limit, a timeout, a service that is down. */
public non-sealed class RetriableException extends CodeException {
    private static final long serialVersionUID = 1L;

    /** The wait the other side asked for before the next try, or null. */
    private final @Nullable Duration retryAfter;

    /**
     * Makes the exception.
     *
     * @param message what went wrong
     * @param retryAfter how long the other side asked us to wait before trying again, or {@code null}
     * @param cause the underlying failure, or {@code null}
     */
    public RetriableException(String message, @Nullable Duration retryAfter, @Nullable Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    /** {@return the wait the other side asked for before the next try, if it asked} */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public final boolean retriable() {
        return true;
    }
}
