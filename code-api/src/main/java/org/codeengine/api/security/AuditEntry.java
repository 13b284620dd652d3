package org.codeengine.api.security;

import java.time.Instant;
import org.codeengine.api.internal.Checks;

/**
 * One entry of the tamper-evident audit log. Entries form a hash chain: {@link #hash()} is computed over the entry's
 * fields and {@link #previousHash()}, so changing, removing or reordering an entry breaks every hash after it.
 *
 * @param sequence the position in the log, from 1
 * @param at when the audited action ended
 * @param principalId who acted
 * @param action what was done, e.g. {@code deploy:run:prod}
 * @param target what it was done to (a run id, a tool name), or empty
 * @param outcome how it ended
 * @param detail free text without secrets, or empty
 * @param previousHash the hash of the entry before, lower-case hex; 64 zeros for the first
 * @param hash this entry's hash, lower-case hex SHA-256
 */
public record AuditEntry(long sequence, Instant at, String principalId, String action, String target,
        Outcome outcome, String detail, String previousHash, String hash) {
    /** How an audited action ended. */
    public enum Outcome {
        /** It did what was asked. */
        SUCCESS,
        /** It was attempted and failed. */
        FAILURE,
        /** The security layer refused it. */
        DENIED
    }

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if {@code sequence} is below 1 or a required text is blank
     */
    public AuditEntry {
        Checks.atLeast(sequence, 1, "sequence");
        Checks.notNull(at, "at");
        Checks.notBlank(principalId, "principalId");
        Checks.notBlank(action, "action");
        Checks.notNull(target, "target");
        Checks.notNull(outcome, "outcome");
        Checks.notNull(detail, "detail");
        Checks.notBlank(previousHash, "previousHash");
        Checks.notBlank(hash, "hash");
    }
}
