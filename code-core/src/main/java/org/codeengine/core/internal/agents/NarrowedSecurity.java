package org.codeengine.core.internal.agents;

import java.util.List;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.agents.AgentSpec;
import org.codeengine.api.security.AccessDecision;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.SecurityFacade;
import org.codeengine.core.internal.orchestrator.DefaultOrchestrator;

/**
 * The engine's security as an agent sees it: its caller's rights narrowed to the agent's tool list. A tool permission
 * ({@code tool:call:<name>}, {@code tool:unconfirmed:<name>}) for a tool outside the list is denied whatever the
 * caller's roles grant; every other check is the caller's own. Nothing the model says reaches this decision: it
 * depends on the spec and the caller only, so an instruction injected into a tool result cannot widen it.
 */
final class NarrowedSecurity implements SecurityFacade {
    private final SecurityFacade caller;
    private final AgentSpec spec;
    private final DefaultOrchestrator.Audit audit;

    NarrowedSecurity(SecurityFacade caller, AgentSpec spec, DefaultOrchestrator.Audit audit) {
        this.caller = caller;
        this.spec = spec;
        this.audit = audit;
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        return caller.authenticate(credentials);
    }

    @Override
    public AccessDecision check(Principal principal, Permission permission) {
        String outside = outside(permission);
        return outside == null
                ? caller.check(principal, permission)
                : new AccessDecision(false, permission, null,
                        null, outside);
    }

    @Override
    public AccessDecision require(Principal principal, Permission permission) {
        String outside = outside(permission);
        if (outside == null) {
            return caller.require(principal, permission); // the caller's own denials are audited there
        }
        audit.record(principal.id(), permission.toString(), permission.instance(), Outcome.DENIED, outside);
        throw new PolicyDeniedException(outside, null);
    }

    @Override
    public List<AuditEntry> audit(long fromSequence, int limit) {
        return caller.audit(fromSequence, limit);
    }

    /** {@return why the agent may not have a tool permission, or null when it is not one or the list allows it} */
    private @org.jspecify.annotations.Nullable String outside(Permission permission) {
        if (!permission.domain().equals("tool") || spec.allows(permission.instance())) {
            return null;
        }
        return "agent " + spec.name() + " may not use tool " + permission.instance() + ": it is not among the "
                + "agent's tools " + spec.tools();
    }
}
