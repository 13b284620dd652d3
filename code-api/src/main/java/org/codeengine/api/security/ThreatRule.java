package org.codeengine.api.security;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.codeengine.api.internal.Checks;

/**
 * A threat-detection rule: when its signal is seen {@code threshold} times for one subject (an account, a source, a
 * principal) within {@code window}, the security layer reports {@code org.codeengine.security.threat_detected}, writes
 * an audit entry and takes the rule's responses.
 *
 * @param id which signal the rule watches, one of the ids below
 * @param threshold how many signals for one subject within the window make a hit; 1 to 1,000
 * @param window how far back signals count (a sliding window), positive
 * @param severity how bad a hit is
 * @param responses what the security layer does on a hit; empty to report only
 * @param responseFor how long a lock or a block lasts, positive (ignored when neither is among the responses)
 */
public record ThreatRule(String id, int threshold, Duration window, Severity severity, Set<Response> responses,
        Duration responseFor) {
    /** Failed logins for one account. */
    public static final String LOGIN_BURST_ACCOUNT = "login-burst-account";
    /** Failed logins from one source (an address), whatever the account. */
    public static final String LOGIN_BURST_SOURCE = "login-burst-source";
    /** A TOTP code given again after it was accepted once. */
    public static final String TOTP_REPLAY = "totp-replay";
    /** A revoked or expired API key presented. */
    public static final String KEY_REVOKED_USED = "key-revoked-used";
    /** A JWT whose header asks for no signature ({@code alg: none}) or brings its own key (jku, x5u, jwk, x5c). */
    public static final String JWT_FORBIDDEN_HEADER = "jwt-forbidden-header";
    /** A JWT whose signature does not verify. */
    public static final String JWT_BAD_SIGNATURE = "jwt-bad-signature";
    /** Permissions denied to one principal. */
    public static final String PERMISSION_DENIALS = "permission-denials";
    /** Calls of one principal refused by a rate limit. */
    public static final String RATE_LIMIT_FLOOD = "rate-limit-flood";
    /** An audit log whose verification fails. */
    public static final String AUDIT_CHAIN_BROKEN = "audit-chain-broken";
    /** Every rule id, in the order the README's table lists them. */
    public static final List<String> IDS = List.of(LOGIN_BURST_ACCOUNT, LOGIN_BURST_SOURCE,
            TOTP_REPLAY, KEY_REVOKED_USED, JWT_FORBIDDEN_HEADER, JWT_BAD_SIGNATURE, PERMISSION_DENIALS,
            RATE_LIMIT_FLOOD, AUDIT_CHAIN_BROKEN);

    /** How bad a hit is. */
    public enum Severity {
        /** The lowest severity. */
        LOW,
        /** Above low. */
        MEDIUM,
        /** Above medium. */
        HIGH,
        /** The highest severity. */
        CRITICAL
    }

    /** What the security layer does on a hit. */
    public enum Response {
        /** The account the signals name cannot log in for {@link ThreatRule#responseFor()}. */
        LOCK_ACCOUNT,
        /** The source the signals come from is refused for {@link ThreatRule#responseFor()}. */
        BLOCK_SOURCE,
        /** Every session of the account the signals name ends now. */
        REVOKE_SESSIONS
    }

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException naming the field, if the id is not one of {@link #IDS}, the threshold is outside
     *         1 to 1,000, or a duration is not positive
     */
    public ThreatRule {
        Checks.notNull(id, "id");
        if (!IDS.contains(id)) {
            throw new IllegalArgumentException("id must be one of " + IDS + " but was '" + id + "'");
        }
        if (threshold < 1 || threshold > 1000) {
            throw new IllegalArgumentException("threshold of rule " + id + " must be 1 to 1000 but was " + threshold);
        }
        Checks.positive(window, "window of rule " + id);
        Checks.notNull(severity, "severity of rule " + id);
        responses = Set.copyOf(Checks.notNull(responses, "responses of rule " + id));
        Checks.positive(responseFor, "responseFor of rule " + id);
    }

    /**
     * {@return this rule with another threshold}
     *
     * @param value hits within the window that make a hit, 1 to 1000
     */
    public ThreatRule withThreshold(int value) {
        return new ThreatRule(id, value, window, severity, responses, responseFor);
    }

    /**
     * {@return this rule with other responses}
     *
     * @param value what the security layer does on a hit
     * @param lasting how long a response lasts
     */
    public ThreatRule withResponses(Set<Response> value, Duration lasting) {
        return new ThreatRule(id, threshold, window, severity, value, lasting);
    }

    /**
     * The rules that apply unless the host replaces them (by id): see the README's table.
     *
     * @return one rule per id, in the order of {@link #IDS}
     */
    public static List<ThreatRule> defaults() {
        Duration quarter = Duration.ofMinutes(15);
        Duration halfHour = Duration.ofMinutes(30);
        Duration hour = Duration.ofHours(1);
        return List.of(
                new ThreatRule(LOGIN_BURST_ACCOUNT, 10, quarter, Severity.HIGH, Set.of(Response.LOCK_ACCOUNT),
                        quarter),
                new ThreatRule(LOGIN_BURST_SOURCE, 20, Duration.ofMinutes(10), Severity.HIGH, Set.of(
                        Response.BLOCK_SOURCE), halfHour),
                new ThreatRule(TOTP_REPLAY, 1, Duration.ofMinutes(10), Severity.HIGH, Set.of(Response.REVOKE_SESSIONS),
                        quarter),
                new ThreatRule(KEY_REVOKED_USED, 1, hour, Severity.MEDIUM, Set.of(), quarter),
                new ThreatRule(JWT_FORBIDDEN_HEADER, 1, hour, Severity.HIGH, Set.of(Response.BLOCK_SOURCE), halfHour),
                new ThreatRule(JWT_BAD_SIGNATURE, 5, Duration.ofMinutes(10), Severity.MEDIUM, Set.of(), quarter),
                new ThreatRule(PERMISSION_DENIALS, 10, Duration.ofMinutes(1), Severity.MEDIUM, Set.of(), quarter),
                new ThreatRule(RATE_LIMIT_FLOOD, 20, Duration.ofMinutes(1), Severity.LOW, Set.of(), quarter),
                new ThreatRule(AUDIT_CHAIN_BROKEN, 1, hour, Severity.CRITICAL, Set.of(), quarter));
    }
}
