package org.codeengine.api.spi;

import java.time.Duration;
import org.codeengine.api.internal.Checks;

/**
 * The outcome of one health probe.
 *
 * @param healthy whether the probe passed
 * @param detail a short note: the status code, the exit code, the connect error
 * @param took how long the probe took
 */
public record ProbeResult(boolean healthy, String detail, Duration took) {
    /** Checks that {@code detail} is present and {@code took} is not negative. */
    public ProbeResult {
        Checks.notNull(detail, "detail");
        Checks.notNegative(took, "took");
    }
}
