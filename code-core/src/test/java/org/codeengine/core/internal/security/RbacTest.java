package org.codeengine.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import org.codeengine.api.security.AccessDecision;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.Role;
import org.junit.jupiter.api.Test;

/** Roles, wildcards, inheritance, deny by default, and names that try to widen a grant. */
class RbacTest {
    final Rbac rbac = new Rbac();

    static Principal user(String... roles) {
        return new Principal("alice", Principal.Kind.USER, Set.of(roles));
    }

    static Set<Permission> grants(String... permissions) {
        return java.util.Arrays.stream(permissions).map(Permission::parse).collect(java.util.stream.Collectors
                .toSet());
    }

    @Test
    void wildcardsMatchAnyPart_andTheDecisionSaysWhichRoleAndGrantAllowedIt() {
        rbac.define(new Role("deployer", grants("deploy:*:dev", "tool:call:search"), Set.of()));
        AccessDecision ok = rbac.check(user("deployer"), Permission.parse("deploy:run:dev"));
        assertThat(ok.allowed()).isTrue();
        assertThat(ok.role()).hasValue("deployer");
        assertThat(ok.grant()).isEqualTo(Permission.parse("deploy:*:dev"));
        assertThat(ok.reason()).isEqualTo("role 'deployer' grants deploy:*:dev");
        assertThat(rbac.check(user("deployer"), Permission.parse("deploy:run:prod")).allowed()).isFalse();
        assertThat(rbac.check(user("deployer"), Permission.parse("tool:call:search")).allowed()).isTrue();
        assertThat(rbac.check(user("deployer"), Permission.parse("tool:call:shell")).allowed()).isFalse();
    }

    @Test
    void rolesInheritGrants_throughChains_andCyclesDoNotLoop() {
        rbac.define(new Role("viewer", grants("deploy:read:*"), Set.of()));
        rbac.define(new Role("operator", grants("deploy:run:dev"), Set.of("viewer")));
        rbac.define(new Role("lead", grants(), Set.of("operator", "lead")));
        AccessDecision read = rbac.check(user("lead"), Permission.parse("deploy:read:prod"));
        assertThat(read.allowed()).isTrue();
        assertThat(read.reason()).isEqualTo("role 'lead' inherits deploy:read:* from role 'viewer'");
        assertThat(rbac.check(user("lead"), Permission.parse("deploy:run:dev")).allowed()).isTrue();
        assertThat(rbac.check(user("viewer"), Permission.parse("deploy:run:dev")).allowed()).isFalse();
    }

    @Test
    void deniesByDefault_andExplainsTheDenial() {
        AccessDecision none = rbac.check(user(), Permission.parse("deploy:run:dev"));
        assertThat(none.allowed()).isFalse();
        assertThat(none.reason()).isEqualTo("the caller holds no role, so nothing grants deploy:run:dev");
        AccessDecision unknownRole = rbac.check(user("ghost"), Permission.parse("deploy:run:dev"));
        assertThat(unknownRole.allowed()).isFalse();
        assertThat(unknownRole.reason()).isEqualTo("no role of [ghost] grants deploy:run:dev");
    }

    @Test
    void changesApplyFromTheNextCheck() {
        rbac.define(new Role("ops", grants("deploy:*:*"), Set.of()));
        assertThat(rbac.check(user("ops"), Permission.parse("deploy:run:prod")).allowed()).isTrue();
        rbac.define(new Role("ops", grants("deploy:*:dev"), Set.of()));
        assertThat(rbac.check(user("ops"), Permission.parse("deploy:run:prod")).allowed()).isFalse();
        rbac.remove("ops");
        assertThat(rbac.check(user("ops"), Permission.parse("deploy:run:dev")).allowed()).isFalse();
    }

    @Test
    void namesThatHoldSeparatorsWildcardsOrCapitals_cannotWidenAGrant() {
        rbac.define(new Role("caller", grants("tool:call:search"), Set.of()));
        for (String injected : new String[]{"tool:call:search:*", "tool:call:*", "tool:call:search,shell",
                "tool:call:Search", "tool:call:sea*", "tool:call", "tool:*:search"}) {
            boolean allowed;
            try {
                allowed = rbac.check(user("caller"), Permission.parse(injected)).allowed();
            } catch (IllegalArgumentException refused) {
                allowed = false;
            }
            assertThat(allowed).as(injected).isFalse();
        }
        assertThatThrownBy(() -> new Permission("tool", "call", "a:b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Permission("tool", "call", "A")).isInstanceOf(IllegalArgumentException.class);
        assertThat(rbac.check(new Principal("engine", Principal.Kind.SYSTEM, Set.of()), Permission.parse(
                "deploy:run:prod")).allowed()).as("CODE itself").isTrue();
    }
}
