package org.codeengine.api.security;

import java.util.Set;
import org.codeengine.api.internal.Checks;

/**
 * A role: the permissions it grants and the roles whose grants it has too. Principals carry role names; what none of
 * their roles grants is denied.
 *
 * @param name the role's name: lower case letters, digits, '.', '_' or '-', 1 to 63 long
 * @param grants what it allows ({@code *} for any part)
 * @param inherits names of roles whose grants it has too
 */
public record Role(String name, Set<Permission> grants, Set<String> inherits) {
    /** The built-in role that grants everything; it cannot be changed or deleted. */
    public static final String ADMIN = "admin";

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if the name or an inherited name breaks the naming rule
     */
    public Role {
        Checks.name(name, "role name");
        grants = Set.copyOf(Checks.notNull(grants, "grants"));
        inherits = Set.copyOf(Checks.notNull(inherits, "inherits"));
        inherits.forEach(inherited -> Checks.name(inherited, "inherited role name"));
    }
}
