package org.codeengine.plugin.support;

import java.time.Duration;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.CodeException;
import org.codeengine.api.DeadlineExceededException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.RateLimitedException;
import org.codeengine.api.UnavailableException;
import org.jspecify.annotations.Nullable;

/** Maps a provider's HTTP error onto CODE's exceptions, keeping the provider's message and request id. */
public final class HttpErrors {
    private HttpErrors() {}

    /**
     * {@return 401/403 authentication; 404 not found; 408 deadline exceeded; 429 rate limited; 409, 5xx and 529
     *         unavailable (all retriable); other 4xx invalid request}
     *
     * @param provider the provider's name, for the message
     * @param status the HTTP status
     * @param message the provider's error message (never the request, which may hold a key)
     * @param requestId the provider's request id, or null
     * @param retryAfter the wait the provider asked for, or null
     */
    public static CodeException map(String provider, int status, String message, @Nullable String requestId,
            @Nullable Duration retryAfter) {
        return map(provider, status, status, message, requestId, retryAfter);
    }

    /**
     * {@return the exception for {@code mapAs}, its message naming {@code status}}
     *
     * @param provider the provider's name, for the message
     * @param status the HTTP status, for the message
     * @param mapAs the status that picks the exception, as {@link #map(String, int, String, String, Duration)} does;
     *        differs from {@code status} where the body says more (Google's 400 with {@code API_KEY_INVALID} is 401)
     * @param message the provider's error message (never the request, which may hold a key)
     * @param requestId the provider's request id, or null
     * @param retryAfter the wait the provider asked for, or null
     */
    public static CodeException map(String provider, int status, int mapAs, String message,
            @Nullable String requestId, @Nullable Duration retryAfter) {
        String text = provider + " answered HTTP " + status + ": " + message + (requestId == null
                ? ""
                : " (request " + requestId + ")");
        return switch (mapAs) {
            case 401, 403 -> new AuthenticationException(text, null);
            case 404 -> new NotFoundException(text, null);
            case 408 -> new DeadlineExceededException(text, retryAfter, null);
            case 429 -> new RateLimitedException(text, retryAfter, null);
            default -> mapAs == 409 || mapAs >= 500
                    ? new UnavailableException(text, retryAfter, null)
                    : new InvalidRequestException(text, null);
        };
    }

    /**
     * {@return whether the status is one worth retrying: 408, 409, 429 and 5xx (529 "overloaded" included)}
     *
     * @param status an HTTP status
     */
    public static boolean retriable(int status) {
        return status == 408 || status == 409 || status == 429 || status >= 500;
    }
}
