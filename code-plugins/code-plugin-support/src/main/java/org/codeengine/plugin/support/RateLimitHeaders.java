package org.codeengine.plugin.support;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.codeengine.api.spi.RateLimits;
import org.jspecify.annotations.Nullable;

/**
 * Reads rate-limit headers: OpenAI's {@code x-ratelimit-*} (resets as {@code 6m0s}, {@code 1s}, {@code 20ms}) and
 * Anthropic's {@code anthropic-ratelimit-*} (resets as RFC 3339 times).
 */
public final class RateLimitHeaders {
    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");

    private RateLimitHeaders() {}

    /**
     * {@return the limits said, or {@link RateLimits#UNKNOWN}}
     *
     * @param headers a reply's headers
     * @param clock now, for resets given as times
     */
    public static RateLimits parse(HttpHeaders headers, Clock clock) {
        if (headers.firstValue("x-ratelimit-limit-requests").isPresent() || headers.firstValue(
                "x-ratelimit-remaining-requests").isPresent() || headers.firstValue("x-ratelimit-remaining-tokens")
                        .isPresent()) {
            return new RateLimits(number(headers, "x-ratelimit-limit-requests"), number(headers,
                    "x-ratelimit-remaining-requests"), number(headers, "x-ratelimit-limit-tokens"),
                    number(headers,
                            "x-ratelimit-remaining-tokens"),
                    goDuration(headers.firstValue(
                            "x-ratelimit-reset-requests").orElse(null)),
                    goDuration(headers.firstValue(
                            "x-ratelimit-reset-tokens").orElse(null)));
        }
        if (headers.firstValue("anthropic-ratelimit-requests-limit").isPresent() || headers.firstValue(
                "anthropic-ratelimit-tokens-remaining").isPresent()) {
            return new RateLimits(number(headers, "anthropic-ratelimit-requests-limit"), number(headers,
                    "anthropic-ratelimit-requests-remaining"), number(headers, "anthropic-ratelimit-tokens-limit"),
                    number(headers, "anthropic-ratelimit-tokens-remaining"), until(headers.firstValue(
                            "anthropic-ratelimit-requests-reset").orElse(null), clock),
                    until(headers.firstValue(
                            "anthropic-ratelimit-tokens-reset").orElse(null), clock));
        }
        return RateLimits.UNKNOWN;
    }

    private static long number(HttpHeaders headers, String name) {
        try {
            return headers.firstValue(name).map(v -> Long.parseLong(v.strip())).orElse(-1L);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** {@code 1h2m3.5s}, {@code 20ms}: Go's duration format, as OpenAI writes resets. */
    static @Nullable Duration goDuration(@Nullable String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        Matcher m = GO_DURATION.matcher(text.strip());
        long nanos = 0;
        int at = 0;
        while (m.find() && m.start() == at) {
            double amount = Double.parseDouble(m.group(1));
            nanos += (long) (amount * switch (m.group(2)) {
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            });
            at = m.end();
        }
        return at == text.strip().length() && at > 0 ? Duration.ofNanos(nanos) : null;
    }

    private static @Nullable Duration until(@Nullable String time, Clock clock) {
        if (time == null) {
            return null;
        }
        try {
            Duration d = Duration.between(clock.instant(), OffsetDateTime.parse(time.strip()).toInstant());
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
