package org.codeengine.core.internal.security;

import java.util.List;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.security.AccessDecision;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.core.internal.store.AuditLog;

/**
 * The security facade of an engine built without one: every permission is granted (with a reason that says so),
 * nobody can authenticate, and the audit log is the store's. Hosts that take callers from outside pass a real facade.
 */
public final class PermitAllSecurity implements SecurityFacade {
    private static final Permission ALL = new Permission("*", "*", "*");
    private final AuditLog audit;

    public PermitAllSecurity(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        throw new AuthenticationException("no authentication is configured; build the engine with"
                + " CodeEngine.builder().security(...)", null);
    }

    @Override
    public AccessDecision check(Principal principal, Permission permission) {
        return new AccessDecision(true, permission, "permit-all", ALL,
                "no security is configured, so the engine permits everything");
    }

    @Override
    public AccessDecision require(Principal principal, Permission permission) {
        return check(principal, permission);
    }

    @Override
    public List<AuditEntry> audit(long fromSequence, int limit) {
        return audit.read(fromSequence, limit);
    }
}
