package org.codeengine.core.internal.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Row keys that grow with time: UUIDs of version 7 (RFC 9562), the milliseconds since the epoch in their first 48 bits
 * and 74 random bits after. A table keyed by random UUIDs puts each new row in a random leaf of its index, so every
 * commit rewrites a leaf (and, on H2, the chunk bookkeeping of the old file region that held it) somewhere else in the
 * file; keys that grow put the rows of one period side by side, in the leaves the last commits wrote already. The
 * random part keeps the keys unique across engines and as hard to guess as 74 random bits.
 */
public final class TimeOrderedIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private TimeOrderedIds() {}

    /** {@return a new version 7 UUID for the current time of {@code clock}, in its usual text form} */
    public static String next(Clock clock) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        long millis = clock.millis() & 0xFFFF_FFFF_FFFFL;
        long high = millis << 16 | 0x7000L | (random[0] & 0x0FL) << 8 | (random[1] & 0xFFL);
        long low = 0x8000_0000_0000_0000L | (random[2] & 0x3FL) << 56;
        for (int i = 3; i < 10; i++) {
            low |= (random[i] & 0xFFL) << (8 * (9 - i));
        }
        return new UUID(high, low).toString();
    }
}
