package org.codeengine.api.security;

import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * What a verification of the audit log found.
 *
 * @param entries how many entries were checked
 * @param firstBroken the sequence of the first entry that does not match (for a checkpoint the log no longer matches,
 *        its tree size), or null when the log is intact
 * @param reason why it does not match, or empty
 * @param checkpoints how many signed checkpoints were checked against the pinned key
 */
public record AuditVerification(long entries, @Nullable Long firstBroken, String reason, int checkpoints) {
    /** Checks that {@code reason} is present. */
    public AuditVerification {
        Checks.notNull(reason, "reason");
    }

    /** {@return whether nothing was found wrong} */
    public boolean intact() {
        return firstBroken == null;
    }

    /** {@return the first bad entry, if any} */
    public Optional<Long> broken() {
        return Optional.ofNullable(firstBroken);
    }
}
