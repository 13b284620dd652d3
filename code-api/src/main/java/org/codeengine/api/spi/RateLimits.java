package org.codeengine.api.spi;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a provider said about its rate limits in a reply's headers ({@code x-ratelimit-*},
 * {@code anthropic-ratelimit-*}); -1 or {@code null} where it said nothing.
 *
 * @param requestsLimit requests allowed in the window
 * @param requestsRemaining requests left in the window
 * @param tokensLimit tokens allowed in the window
 * @param tokensRemaining tokens left in the window
 * @param requestsReset time until the request window resets
 * @param tokensReset time until the token window resets
 */
public record RateLimits(long requestsLimit, long requestsRemaining, long tokensLimit, long tokensRemaining,
        @Nullable Duration requestsReset, @Nullable Duration tokensReset) {
    /** Nothing known. */
    public static final RateLimits UNKNOWN = new RateLimits(-1, -1, -1, -1, null, null);

    /** {@return whether any limit is known} */
    public boolean known() {
        return !equals(UNKNOWN);
    }
}
