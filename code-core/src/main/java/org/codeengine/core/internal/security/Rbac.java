package org.codeengine.core.internal.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.codeengine.api.security.AccessDecision;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.Role;
import org.jspecify.annotations.Nullable;

/**
 * Role-based access control: roles hold permissions ({@code domain:action:instance}, {@code *} for any part) and may
 * inherit other roles; what no role grants is denied. Role changes replace an immutable snapshot, so the next check
 * sees them. A check is a few hash lookups in an index compiled once per set of roles.
 */
public final class Rbac {
    /** The role that granted a permission, the grant, and the sentence that says so. */
    private record Source(String role, Permission grant, String reason) {}

    /** Effective grants of one set of roles, by domain, action and instance; {@code *} is a key like any other. */
    private record Index(Map<String, Map<String, Map<String, Source>>> grants, String denial) {
        /** Most specific first: the exact domain before {@code *}, then the action, then the instance. */
        @Nullable
        Source find(Permission p) {
            Source s = inDomain(grants.get(p.domain()), p);
            return s != null ? s : inDomain(grants.get("*"), p);
        }

        private static @Nullable Source inDomain(@Nullable Map<String, Map<String, Source>> byAction, Permission p) {
            if (byAction == null) {
                return null;
            }
            Source s = inAction(byAction.get(p.action()), p);
            return s != null ? s : inAction(byAction.get("*"), p);
        }

        private static @Nullable Source inAction(@Nullable Map<String, Source> byInstance, Permission p) {
            if (byInstance == null) {
                return null;
            }
            Source s = byInstance.get(p.instance());
            return s != null ? s : byInstance.get("*");
        }
    }

    private record Snapshot(Map<String, Role> roles, Map<Set<String>, Index> compiled) {}

    private static final Permission ALL = new Permission("*", "*", "*");
    private volatile Snapshot snapshot = new Snapshot(Map.of(), new ConcurrentHashMap<>());

    /** Adds or replaces a role; it applies from the next check. */
    public synchronized void define(Role role) {
        Map<String, Role> roles = new HashMap<>(snapshot.roles());
        roles.put(role.name(), role);
        snapshot = new Snapshot(Map.copyOf(roles), new ConcurrentHashMap<>());
    }

    /** Removes a role; principals that hold it lose its grants from the next check. */
    public synchronized void remove(String name) {
        Map<String, Role> roles = new HashMap<>(snapshot.roles());
        roles.remove(name);
        snapshot = new Snapshot(Map.copyOf(roles), new ConcurrentHashMap<>());
    }

    /** Replaces every role but those named in {@code keep} with {@code roles}; applies from the next check. */
    public synchronized void replaceAll(Collection<Role> roles, Set<String> keep) {
        Map<String, Role> next = new HashMap<>();
        snapshot.roles().forEach((name, role) -> {
            if (keep.contains(name)) {
                next.put(name, role);
            }
        });
        roles.forEach(role -> next.putIfAbsent(role.name(), role));
        snapshot = new Snapshot(Map.copyOf(next), new ConcurrentHashMap<>());
    }

    /** {@return the roles defined now, by name} */
    public Map<String, Role> roles() {
        return new TreeMap<>(snapshot.roles());
    }

    /** {@return whether the principal may, and why; {@link Principal.Kind#SYSTEM} (CODE itself) may do anything} */
    public AccessDecision check(Principal principal, Permission permission) {
        if (principal.kind() == Principal.Kind.SYSTEM) {
            return new AccessDecision(true, permission, "system", ALL, "CODE itself acts for the engine");
        }
        Snapshot current = snapshot;
        Index index = current.compiled().computeIfAbsent(principal.roles(), roles -> compile(current.roles(),
                roles));
        Source source = index.find(permission);
        if (source == null) {
            return new AccessDecision(false, permission, null, null, index.denial() + permission);
        }
        return new AccessDecision(true, permission, source.role(), source.grant(), source.reason());
    }

    /** Grants of the roles and everything they inherit, most specific kept first; cycles are cut, not followed. */
    private static Index compile(Map<String, Role> roles, Set<String> held) {
        Map<String, Map<String, Map<String, Source>>> grants = new HashMap<>();
        for (String top : new TreeSet<>(held)) {
            LinkedHashSet<String> seen = new LinkedHashSet<>();
            List<String> todo = new ArrayList<>(List.of(top));
            while (!todo.isEmpty()) {
                String name = todo.removeFirst();
                Role role = roles.get(name);
                if (role == null || !seen.add(name)) {
                    continue;
                }
                for (Permission grant : role.grants()) {
                    String reason = name.equals(top)
                            ? "role '" + top + "' grants " + grant
                            : "role '" + top + "' inherits " + grant + " from role '" + name + "'";
                    grants.computeIfAbsent(grant.domain(), k -> new HashMap<>()).computeIfAbsent(grant.action(),
                            k -> new HashMap<>()).putIfAbsent(grant.instance(), new Source(top, grant, reason));
                }
                todo.addAll(new TreeSet<>(role.inherits()));
            }
        }
        String denial = held.isEmpty()
                ? "the caller holds no role, so nothing grants "
                : "no role of " + new TreeSet<>(held) + " grants ";
        return new Index(grants, denial);
    }
}
