package org.codeengine.examples.cli;

import java.util.List;
import org.codeengine.api.Secret;
import org.codeengine.api.security.AccessDecision;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.SecurityFacade;

/**
 * What the app's HTTP faces take after {@code Authorization: Bearer}: an API key of {@code code keys create}, or a
 * token CODE's security accepts (a JWT access token, a session). The key or token is told apart by its shape, so a
 * caller's one attempt is one authentication, audited once.
 */
final class BearerCredentials {
    /** How an API key of CODE begins. */
    private static final String API_KEY_PREFIX = "code_";

    private BearerCredentials() {}

    /** {@return the credentials the presented text stands for} */
    static Credentials of(String presented) {
        Secret secret = Secret.of(presented);
        return presented.startsWith(API_KEY_PREFIX) && presented.indexOf('.') < 0
                ? new Credentials.ApiKey(secret)
                : new Credentials.BearerToken(secret);
    }

    /**
     * {@return the security facade, authenticating a bearer token that is an API key as one}
     *
     * @param security the engine's security
     */
    static SecurityFacade acceptingApiKeys(SecurityFacade security) {
        return new SecurityFacade() {
            @Override
            public Principal authenticate(Credentials credentials) {
                return security.authenticate(credentials instanceof Credentials.BearerToken token
                        ? of(token.token().reveal())
                        : credentials);
            }

            @Override
            public AccessDecision check(Principal principal, Permission permission) {
                return security.check(principal, permission);
            }

            @Override
            public AccessDecision require(Principal principal, Permission permission) {
                return security.require(principal, permission);
            }

            @Override
            public List<AuditEntry> audit(long fromSequence, int limit) {
                return security.audit(fromSequence, limit);
            }

            @Override
            public String toString() {
                return "BearerCredentials[API keys and tokens]";
            }
        };
    }
}
