package org.codeengine.api.security;

import java.util.List;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.PolicyDeniedException;

/** The security face of CODE: who a caller is, what it may do, and the record of what it did. */
public interface SecurityFacade {
    /**
     * {@return the authenticated principal}
     *
     * @param credentials what the caller presented
     * @throws AuthenticationException if the credentials are missing, wrong, expired, revoked or locked out
     */
    Principal authenticate(Credentials credentials);

    /**
     * {@return the decision with its reason; never throws for a denial}
     *
     * @param principal the caller
     * @param permission what it wants to do
     */
    AccessDecision check(Principal principal, Permission permission);

    /**
     * Like {@link #check} but throws on a denial, and audits the denial.
     *
     * @param principal the caller
     * @param permission what it wants to do
     * @return the allowing decision
     * @throws PolicyDeniedException if the permission is not granted
     */
    AccessDecision require(Principal principal, Permission permission);

    /**
     * {@return audit entries in sequence order}
     *
     * @param fromSequence the first sequence number to return, from 1
     * @param limit the most entries to return, at least 1
     */
    List<AuditEntry> audit(long fromSequence, int limit);
}
