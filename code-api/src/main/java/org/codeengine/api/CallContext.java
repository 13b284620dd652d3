package org.codeengine.api;

import java.time.Instant;
import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.codeengine.api.security.Principal;
import org.jspecify.annotations.Nullable;

/**
 * Who is calling, until when, and under which trace id. Every face of CODE takes one, so the security layer can check
 * the principal's permissions before the work starts and audit it after it ends.
 *
 * @param principal the authenticated caller
 * @param deadline the instant after which the call is abandoned, or {@code null} for none
 * @param traceId an id that ties logs, events and audit entries of one call together; not blank
 */
public record CallContext(Principal principal, @Nullable Instant deadline, String traceId) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if {@code traceId} is blank
     */
    public CallContext {
        Checks.notNull(principal, "principal");
        Checks.notBlank(traceId, "traceId");
    }

    /** {@return the deadline, if the call has one} */
    public Optional<Instant> deadlineIfAny() {
        return Optional.ofNullable(deadline);
    }
}
