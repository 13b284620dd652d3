package org.codeengine.plugin.support;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/** Reads what a provider says about retrying: {@code retry-after-ms}, {@code retry-after}, {@code x-should-retry}. */
public final class RetryHeaders {
    private RetryHeaders() {}

    /**
     * {@return the wait asked for: {@code retry-after-ms} first, then {@code retry-after} in seconds or as an HTTP date;
     *         null when neither is there or readable, or the wait is negative}
     *
     * @param headers the reply's headers
     * @param clock now, for a {@code retry-after} given as an HTTP date
     */
    public static @Nullable Duration retryAfter(HttpHeaders headers, Clock clock) {
        Optional<String> ms = headers.firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                double millis = Double.parseDouble(ms.get().strip());
                if (millis >= 0 && Double.isFinite(millis)) {
                    return Duration.ofNanos((long) (millis * 1_000_000));
                }
            } catch (NumberFormatException e) {
                // fall through to retry-after
            }
        }
        Optional<String> after = headers.firstValue("retry-after");
        if (after.isEmpty()) {
            return null;
        }
        String value = after.get().strip();
        try {
            double seconds = Double.parseDouble(value);
            return seconds >= 0 && Double.isFinite(seconds) ? Duration.ofNanos((long) (seconds * 1e9)) : null;
        } catch (NumberFormatException e) {
            try {
                Duration wait = Duration.between(clock.instant(), ZonedDateTime.parse(value,
                        DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }

    /**
     * {@return {@code x-should-retry}: TRUE or FALSE when the provider said, null when it did not}
     *
     * @param headers a response's headers
     */
    public static @Nullable Boolean shouldRetry(HttpHeaders headers) {
        return headers.firstValue("x-should-retry").map(v -> v.strip().equalsIgnoreCase("true")
                ? Boolean.TRUE
                : v.strip().equalsIgnoreCase("false") ? Boolean.FALSE : null).orElse(null);
    }
}
