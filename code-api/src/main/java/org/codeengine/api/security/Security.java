package org.codeengine.api.security;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.codeengine.api.Secret;
import org.codeengine.api.internal.Checks;
import org.jspecify.annotations.Nullable;

/**
 * CODE's own security: accounts with Argon2id passwords and TOTP, API keys, sessions, JWT access tokens, roles, rate
 * limits, the audit log, the secret vault and the secret scanner. Every face of the engine checks its callers with it.
 * Thread-safe.
 */
public interface Security extends SecurityFacade {
    /**
     * An API key as it is shown once, at creation; only its hash is stored.
     *
     * @param id the key's id, for listing and revoking
     * @param key the key itself
     * @param expiresAt when it stops working, or null for never
     */
    record IssuedApiKey(String id, Secret key, @Nullable Instant expiresAt) {
        /** Checks that {@code id} is not blank and {@code key} is present. */
        public IssuedApiKey {
            Checks.notBlank(id, "id");
            Checks.notNull(key, "key");
        }
    }

    /**
     * A TOTP enrolment: the URI for an authenticator app's QR code and the shared secret.
     *
     * @param uri the {@code otpauth://} URI; it holds the secret, so treat it as one
     * @param secret the shared secret in base 32
     */
    record TotpEnrollment(Secret uri, Secret secret) {
        @Override
        public String toString() {
            return "TotpEnrollment[***]";
        }
    }

    /**
     * A logged-in session.
     *
     * @param token the opaque session token (256 random bits); only its hash is stored
     * @param principal who it belongs to
     * @param absoluteExpiry when it ends whatever happens
     */
    record Session(Secret token, Principal principal, Instant absoluteExpiry) {}

    /**
     * Something that happened in security: each authentication attempt, each denial.
     *
     * @param at when
     * @param kind {@code login}, {@code api-key}, {@code token}, {@code session}, {@code denied}, {@code threat} (a
     *        threat rule hit; the detail names the rule and its severity)
     * @param principal who, as given (an unknown user name stays what was typed), never a secret
     * @param outcome how it ended
     * @param detail why, never a secret
     */
    record Event(Instant at, String kind, String principal, AuditEntry.Outcome outcome, String detail) {}

    /**
     * Authenticates like {@link #authenticate(Credentials)}, knowing where the attempt comes from: a source blocked by
     * a threat rule is refused whatever the credentials, and the signals the attempt raises count for that source.
     *
     * @param credentials what the caller presented
     * @param source where the attempt comes from (an IP address); {@code unknown} when it is not known
     * @return the authenticated principal
     * @throws org.codeengine.api.AuthenticationException if the credentials are missing, wrong, expired or revoked
     * @throws org.codeengine.api.RateLimitedException if the source is blocked or the account locked
     */
    Principal authenticate(Credentials credentials, String source);

    /** {@return the threat rules in force, one per id of {@link ThreatRule#IDS}} */
    List<ThreatRule> threatRules();

    /**
     * Creates a user account.
     *
     * @param username the account's name
     * @param password its password
     * @param roles the roles it has; each must be defined
     * @throws org.codeengine.api.InvalidRequestException if the name is taken, the password breaks the policy or a
     *         role is not defined
     */
    void addUser(String username, Secret password, Set<String> roles);

    /**
     * Changes an account's password.
     *
     * @param username the account's name
     * @param newPassword the password from now on
     * @throws org.codeengine.api.InvalidRequestException if the new password breaks the policy
     */
    void changePassword(String username, Secret newPassword);

    /**
     * Disables an account: it can no longer log in, and its sessions end now.
     *
     * @param username the account's name
     */
    void disableUser(String username);

    /**
     * Enrols TOTP (SHA-1, 6 digits, 30 s) for an account; logins need a code from then on.
     *
     * @param username the account's name
     * @return the {@code otpauth:} URI and the shared secret, to show the user once
     */
    TotpEnrollment enrollTotp(String username);

    /**
     * Issues an API key; its secret is shown once, in the result.
     *
     * @param owner the principal id the key authenticates as
     * @param roles the roles it carries; each must be defined
     * @param ttl how long it works, or null for until revoked
     * @return the key's id and its secret
     * @throws org.codeengine.api.InvalidRequestException if a role is not defined
     */
    IssuedApiKey createApiKey(String owner, Set<String> roles, @Nullable Duration ttl);

    /**
     * Revokes an API key: it no longer authenticates.
     *
     * @param id the key's id
     */
    void revokeApiKey(String id);

    /**
     * Authenticates with a password (and TOTP code) and opens a session; a previous session of the caller, if given,
     * ends (the session id rotates on re-authentication).
     *
     * @param credentials the user name, password and TOTP code
     * @param source where the attempt comes from (an IP address), for brute-force protection
     * @param previousSession the caller's session token so far, or null
     * @return the new session
     */
    Session login(Credentials.Password credentials, String source, @Nullable Secret previousSession);

    /**
     * Ends a session.
     *
     * @param sessionToken the session's token
     */
    void logout(Secret sessionToken);

    /**
     * {@return a signed JWT access token for the principal}
     *
     * @param principal who the token authenticates as
     * @param ttl how long it is valid
     */
    Secret issueToken(Principal principal, Duration ttl);

    /**
     * Adds or replaces a role. Roles are kept in the store, so every engine on it (and the {@code code} app) knows
     * them; this engine's next check sees the change, another engine's after its next start or unknown role.
     *
     * @param name the role's name, see {@link Role}
     * @param grants what it allows
     * @param inherits roles whose grants it has too; each must be defined already
     * @throws org.codeengine.api.InvalidRequestException if the name breaks the naming rule or is the built-in
     *         {@link Role#ADMIN}, or an inherited role is not defined
     */
    void defineRole(String name, Set<Permission> grants, Set<String> inherits);

    /**
     * Deletes a role from the store; accounts and keys that hold it lose its grants from the next check.
     *
     * @param name the role's name
     * @throws org.codeengine.api.NotFoundException if no role has that name
     * @throws org.codeengine.api.InvalidRequestException if it is the built-in {@link Role#ADMIN} or another role
     *         inherits it
     */
    void removeRole(String name);

    /** {@return the roles defined, the built-in {@link Role#ADMIN} included, by name} */
    List<Role> roles();

    /**
     * Limits how often one principal may use permissions that match {@code pattern}: a token bucket per principal.
     *
     * @param pattern the permissions limited
     * @param perSecond the steady rate
     * @param burst the most calls at once
     */
    void limit(Permission pattern, double perSecond, int burst);

    /**
     * Tells a listener of security events.
     *
     * @param listener told of each security event, on the thread that caused it; must not block
     */
    void onEvent(Consumer<Event> listener);

    /** {@return the secret vault} */
    Vault vault();

    /** {@return the secret scanner, with CODE's rules} */
    SecretScanner scanner();

    /**
     * A secret scanner with a team's own rules, read from a gitleaks-format configuration: {@code [[rules]]} (id, regex
     * in RE2 syntax, secretGroup, entropy, keywords, path), allowlists (regexes, regexTarget, stopwords, paths) and
     * {@code [extend]} (useDefault for CODE's rules too, path, disabledRules).
     *
     * @param gitleaksConfig the configuration file, such as {@code .gitleaks.toml}
     * @return a scanner with its rules
     * @throws IllegalArgumentException naming the file, the rule and the key, if the configuration is not valid (an
     *     unknown key, a regex that does not compile, a rule without an id)
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    SecretScanner scanner(Path gitleaksConfig);

    /**
     * Recomputes the audit log's hash chain and Merkle roots and checks its signed checkpoints against the pinned
     * key: a changed, removed, reordered or forged entry, a truncated tail or a rewritten log is reported.
     *
     * @return the first problem found, or an intact result
     */
    AuditVerification verifyAudit();

    /**
     * Signs a checkpoint of the audit log now (the engine also signs one every 1,000 entries, and when it closes
     * after appending entries).
     *
     * @return whether one was signed: false without a signing key or entries
     */
    boolean checkpointAudit();
}
