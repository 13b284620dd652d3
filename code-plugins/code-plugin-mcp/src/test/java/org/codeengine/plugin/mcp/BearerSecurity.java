package org.codeengine.plugin.mcp;

import java.util.List;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.security.AccessDecision;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.SecurityFacade;
import org.jspecify.annotations.Nullable;

/**
 * The security of an MCP resource server in a test: it authenticates bearer tokens and nothing else.
 *
 * @param principalOf the principal a token stands for, or null when it stands for none
 */
record BearerSecurity(TokenCheck principalOf) implements SecurityFacade {
    /** Who a bearer token is. */
    @FunctionalInterface
    interface TokenCheck {
        /** {@return the principal, or null when the token is unknown or expired} */
        @Nullable
        Principal principal(String token);
    }

    @Override
    public Principal authenticate(Credentials credentials) {
        Principal principal = credentials instanceof Credentials.BearerToken(var secret)
                ? principalOf.principal(secret.reveal())
                : null;
        if (principal == null) {
            throw new AuthenticationException("unknown or expired token", null);
        }
        return principal;
    }

    @Override
    public AccessDecision check(Principal principal, Permission permission) {
        throw new UnsupportedOperationException();
    }

    @Override
    public AccessDecision require(Principal principal, Permission permission) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<AuditEntry> audit(long fromSequence, int limit) {
        return List.of();
    }
}
