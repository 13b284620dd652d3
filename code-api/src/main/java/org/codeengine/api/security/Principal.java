package org.codeengine.api.security;

import java.util.Set;
import org.codeengine.api.internal.Checks;

/**
 * An authenticated caller.
 *
 * @param id a stable identifier (user name, API key id or service name); not blank
 * @param kind what sort of caller it is
 * @param roles the names of the roles granted to it; copied
 */
public record Principal(String id, Kind kind, Set<String> roles) {
    /** What sort of caller a principal is. */
    public enum Kind {
        /** A person who logged in. */
        USER,
        /** A program that presented an API key or a token. */
        SERVICE,
        /** CODE itself, for work it starts on its own (resuming a run after a restart). */
        SYSTEM
    }

    /**
     * Checks the components against their rules.
     *
     * @throws IllegalArgumentException if {@code id} is blank
     */
    public Principal {
        Checks.notBlank(id, "id");
        Checks.notNull(kind, "kind");
        roles = Set.copyOf(Checks.notNull(roles, "roles"));
    }
}
