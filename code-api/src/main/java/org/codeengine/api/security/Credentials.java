package org.codeengine.api.security;

import java.util.Optional;
import org.codeengine.api.Secret;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/** What a caller presents to be authenticated. Secret parts are {@link Secret}s, so they never print. */
public sealed interface Credentials {
    /**
     * An API key.
     *
     * @param key the key as it was shown once at creation
     */
    record ApiKey(Secret key) implements Credentials {
        /** Checks that {@code key} is present. */
        public ApiKey {
            Checks.notNull(key, "key");
        }
    }

    /**
     * A user name and password, with a TOTP code when the account has one enrolled.
     *
     * @param username the account name; not blank
     * @param password the password
     * @param totpCode the current one-time code, or {@code null}
     */
    record Password(String username, Secret password, @Nullable String totpCode) implements Credentials {
        /**
         * Checks the components against their rules.
         *
         * @throws IllegalArgumentException if {@code username} is blank
         */
        public Password {
            Checks.notBlank(username, "username");
            Checks.notNull(password, "password");
        }

        /** {@return the one-time code, if one was given} */
        public Optional<String> totp() {
            return Optional.ofNullable(totpCode);
        }
    }

    /**
     * A JWT access token or an opaque session token, as sent in an {@code Authorization: Bearer} header.
     *
     * @param token the token
     */
    record BearerToken(Secret token) implements Credentials {
        /** Checks that {@code token} is present. */
        public BearerToken {
            Checks.notNull(token, "token");
        }
    }
}
