package org.codeengine.api.security;

import java.util.Optional;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * The answer to "may this principal do that?", with its reason.
 *
 * @param allowed whether the call may go on
 * @param permission the permission that was asked for
 * @param grantedByRole the role whose grant allowed it, or {@code null} when denied
 * @param grant the granted permission (possibly with wildcards) that matched, or {@code null} when denied
 * @param reason one sentence a person can read: which role and grant allowed it, or that nothing did
 */
public record AccessDecision(boolean allowed, Permission permission, @Nullable String grantedByRole,
        @Nullable Permission grant, String reason) {
    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if an allowing decision has no role and grant, or {@code reason} is blank
     */
    public AccessDecision {
        Checks.notNull(permission, "permission");
        Checks.notBlank(reason, "reason");
        if (allowed && (grantedByRole == null || grant == null)) {
            throw new IllegalArgumentException("an allowing decision must name grantedByRole and grant");
        }
    }

    /** {@return the role that allowed the call, if it was allowed} */
    public Optional<String> role() {
        return Optional.ofNullable(grantedByRole);
    }
}
