package org.codeengine.core.internal.security;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.ConfigurationException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.RateLimitedException;
import org.codeengine.api.Secret;
import org.codeengine.api.security.AccessDecision;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.AuditEntry.Outcome;
import org.codeengine.api.security.AuditVerification;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.Role;
import org.codeengine.api.security.SecretScanner;
import org.codeengine.api.security.Security;
import org.codeengine.api.security.ThreatRule;
import org.codeengine.api.security.Vault;
import org.codeengine.core.internal.security.secrets.GitleaksConfig;
import org.codeengine.core.internal.store.AuditLog;
import org.codeengine.core.internal.store.SecurityRepository;
import org.codeengine.core.internal.store.SecurityRepository.Failures;
import org.jspecify.annotations.Nullable;

/**
 * CODE's security: authentication (passwords with TOTP, API keys, JWTs, sessions) with brute-force throttling and
 * lock-out, RBAC, rate limits, audit of every attempt and denial, the vault and the scanner.
 */
public final class DefaultSecurity implements Security {
    /**
     * @param idleTimeout a session ends after this long without use
     * @param absoluteTimeout a session ends this long after login, used or not
     * @param throttleAfter failed attempts (per account and per source) after which each further attempt waits
     * @param lockAfter failed attempts after which the account or source is locked for {@code lockFor}
     */
    public record Options(Duration idleTimeout, Duration absoluteTimeout, int throttleAfter, int lockAfter,
            Duration lockFor, Passwords.Cost passwordCost) {
        public static final Options DEFAULTS = new Options(Duration.ofMinutes(30), Duration.ofHours(12), 3, 10,
                Duration.ofMinutes(15), Passwords.Cost.OWASP);
    }

    private static final String KEY_PREFIX = "code_";
    private static final Role ADMIN = new Role(Role.ADMIN, Set.of(new Permission("*", "*", "*")), Set.of());
    private static final String UNKNOWN_SOURCE = "unknown";
    private static final HexFormat HEX = HexFormat.of();
    /**
     * Verified when an account does not exist, so the answer takes as long as for a wrong password. Hashed on the
     * first password login, known account or not (an engine that never sees one, such as a command-line process, never
     * pays for the hash).
     */
    private volatile @Nullable String dummyHash;

    private final SecurityRepository store;
    private final AuditLog audit;
    private final Rbac rbac = new Rbac();
    private final Passwords passwords;
    private final @Nullable Jwt jwt;
    private final @Nullable DefaultVault vault;
    private final SecretScanner scanner = new RegexSecretScanner();
    private final Clock clock;
    private final SecureRandom random;
    private final Options options;
    private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
    private final RateLimits limits;
    private final AuditLog.@Nullable Signer auditSigner;
    private final ThreatDetector threats;

    /**
     * @param auditSigner the key audit checkpoints are signed with and verified against, or null
     * @param threatRules the threat rules that replace the defaults of their ids
     */
    public DefaultSecurity(SecurityRepository store, AuditLog audit, @Nullable Jwt jwt, @Nullable DefaultVault vault,
            AuditLog.@Nullable Signer auditSigner, Clock clock, SecureRandom random, Options options,
            List<ThreatRule> threatRules) {
        this.auditSigner = auditSigner;
        if (auditSigner != null) {
            audit.signWith(auditSigner);
        }
        this.store = store;
        this.audit = audit;
        this.jwt = jwt;
        this.vault = vault;
        this.clock = clock;
        this.random = random;
        this.options = options;
        this.passwords = new Passwords(options.passwordCost(), random);
        this.limits = new RateLimits(clock);
        this.threats = new ThreatDetector(threatRules, store, audit, clock, scanner::redact, hit -> emit("threat", hit
                .principal(), Outcome.DENIED, hit.rule().id() + " (" + hit.rule().severity() + ")"));
        rbac.define(ADMIN);
        reloadRoles();
    }

    // ------------------------------------------------------------------ authentication

    @Override
    public Principal authenticate(Credentials credentials) {
        return authenticate(credentials, UNKNOWN_SOURCE);
    }

    @Override
    public Principal authenticate(Credentials credentials, String source) {
        Objects.requireNonNull(credentials, "credentials must not be null");
        checkSource(source);
        if (!source.equals(UNKNOWN_SOURCE)) {
            refuseLocked("login", "source:" + source, clock.instant());
        }
        return switch (credentials) {
            case Credentials.ApiKey key -> apiKey(key.key(), source);
            case Credentials.Password password -> password(password, source);
            case Credentials.BearerToken token -> bearer(token.token(), source);
        };
    }

    @Override
    public List<ThreatRule> threatRules() {
        return threats.rules();
    }

    private static void checkSource(String source) {
        if (source == null || source.isBlank() || source.length() > 200) {
            throw new InvalidRequestException("source must be 1 to 200 characters (an address, or 'unknown')", null);
        }
    }

    /** A known source, or null: an unknown one is no one's to block. */
    private static @Nullable String known(String source) {
        return source.equals(UNKNOWN_SOURCE) ? null : source;
    }

    private Principal apiKey(Secret key, String source) {
        String text = key.reveal();
        String[] parts = text.startsWith(KEY_PREFIX)
                ? text.substring(KEY_PREFIX.length()).split("_", 2)
                : new String[0];
        Optional<SecurityRepository.ApiKeyRow> row = parts.length == 2 ? store.apiKey(parts[0]) : Optional.empty();
        String expected = row.map(SecurityRepository.ApiKeyRow::hash).orElse("0".repeat(64));
        boolean matches = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), sha256(parts.length == 2
                ? parts[1]
                : text).getBytes(StandardCharsets.US_ASCII));
        String id = parts.length == 2 ? parts[0] : "unknown";
        if (!matches || row.isEmpty()) {
            throw failed("api-key", id, "the API key is not valid");
        }
        SecurityRepository.ApiKeyRow k = row.get();
        String dead = k.revoked()
                ? "revoked"
                : k.expiresAt() != null && !clock.instant().isBefore(k.expiresAt()) ? "expired" : null;
        if (dead != null) {
            AuthenticationException refused = failed("api-key", id, "the API key " + (dead.equals("revoked")
                    ? "was revoked"
                    : "expired"));
            threats.signal(new ThreatDetector.Signal(ThreatRule.KEY_REVOKED_USED, "key:" + id, null, known(source),
                    evidence("keyId", id, "owner", k.owner(), "state", dead, "source", source)));
            throw refused;
        }
        refuseLocked("api-key", "account:" + k.owner(), clock.instant()); // a key lends its owner's standing
        succeeded("api-key", k.owner(), "API key " + id);
        return new Principal(k.owner(), Principal.Kind.SERVICE, roles(k.roles()));
    }

    private String dummyHash() {
        String hash = dummyHash;
        if (hash == null) {
            hash = passwords.hash("not an account's password".toCharArray());
            dummyHash = hash;
        }
        return hash;
    }

    private Principal password(Credentials.Password credentials, String source) {
        String username = credentials.username();
        Instant now = clock.instant();
        boolean known = known(source) != null; // an unknown source is no one's to lock
        throttle("account:" + username, now);
        if (known) {
            throttle("source:" + source, now);
        }
        String dummy = dummyHash();
        Optional<SecurityRepository.Account> account = store.account(username);
        char[] given = credentials.password().reveal().toCharArray();
        boolean ok = passwords.verify(given, account.map(SecurityRepository.Account::passwordHash).orElse(dummy));
        String why = null;
        if (account.isEmpty() || !ok) {
            why = "wrong user name or password";
        } else if (account.get().disabled()) {
            why = "the account is disabled";
        } else if (account.get().totpSecret() != null && !totpPasses(account.get(), credentials.totpCode(), now,
                source)) {
            why = "the one-time code is missing, wrong or used already";
        }
        if (why != null) {
            fail("account:" + username, now);
            if (known) {
                fail("source:" + source, now);
            }
            Arrays.fill(given, '\0');
            AuthenticationException refused = failed("login", username, why);
            threats.signal(new ThreatDetector.Signal(ThreatRule.LOGIN_BURST_ACCOUNT, "account:" + username, username,
                    known(source), evidence("account", username, "source", source)));
            if (known) {
                threats.signal(new ThreatDetector.Signal(ThreatRule.LOGIN_BURST_SOURCE, "source:" + source, null,
                        source, evidence("source", source, "lastAccount", username)));
            }
            throw refused;
        }
        store.clearFailures("account:" + username);
        if (passwords.needsRehash(account.get().passwordHash())) {
            store.setPassword(username, passwords.hash(given)); // the cost was raised since this hash was made
        }
        Arrays.fill(given, '\0');
        succeeded("login", username, "password" + (account.get().totpSecret() == null ? "" : " and TOTP"));
        return new Principal(username, Principal.Kind.USER, roles(account.get().roles()));
    }

    private boolean totpPasses(SecurityRepository.Account account, @Nullable String code, Instant now,
            String source) {
        if (code == null) {
            return false;
        }
        byte[] secret = Base64.getDecoder().decode(requireVault().get("totp/" + account.username()).orElseThrow()
                .reveal());
        boolean passes = Totp.verify(secret, Totp.Algorithm.SHA1, 6, code, now, account.totpLast()).stream()
                .anyMatch(step -> store.useTotpStep(account.username(), step));
        // given again: the step is used already (by the owner, or by whoever else holds the password and saw the code)
        boolean replayed = !passes && Totp.replayed(secret, Totp.Algorithm.SHA1, 6, code, now, store.account(account
                .username()).map(SecurityRepository.Account::totpLast).orElse(account.totpLast()));
        Arrays.fill(secret, (byte) 0);
        if (replayed) {
            threats.signal(new ThreatDetector.Signal(ThreatRule.TOTP_REPLAY, "account:" + account.username(), account
                    .username(), known(source), evidence("account", account.username(), "source", source)));
        }
        return passes;
    }

    private Principal bearer(Secret token, String source) {
        String text = token.reveal();
        if (text.chars().filter(c -> c == '.').count() == 2) {
            if (jwt == null) {
                throw failed("token", "unknown", "no JWT keys are configured");
            }
            try {
                Principal principal = jwt.verify(text);
                refuseLocked("token", "account:" + principal.id(), clock.instant());
                succeeded("token", principal.id(), "JWT");
                return principal;
            } catch (Jwt.Refused e) {
                AuthenticationException refused = failed("token", "unknown", e.getMessage());
                String rule = switch (e.kind()) {
                    case FORBIDDEN_HEADER -> ThreatRule.JWT_FORBIDDEN_HEADER;
                    case BAD_SIGNATURE -> ThreatRule.JWT_BAD_SIGNATURE;
                    case OTHER -> null;
                };
                if (rule != null) {
                    threats.signal(new ThreatDetector.Signal(rule, "source:" + source, null, known(source), evidence(
                            "source", source, "reason", e.reason())));
                }
                throw refused;
            } catch (AuthenticationException e) {
                throw failed("token", "unknown", e.getMessage());
            }
        }
        String hash = sha256(text);
        Instant now = clock.instant();
        SecurityRepository.SessionRow session = store.session(hash).orElseThrow(() -> failed("session", "unknown",
                "the session does not exist or has ended"));
        if (!now.isBefore(session.expiresAt()) || !now.isBefore(session.lastSeenAt().plus(options.idleTimeout()))) {
            store.deleteSession(hash);
            throw failed("session", session.username(), "the session timed out");
        }
        SecurityRepository.Account account = store.account(session.username()).orElse(null);
        if (account == null || account.disabled()) {
            store.deleteSession(hash);
            throw failed("session", session.username(), "the account is disabled");
        }
        refuseLocked("session", "account:" + account.username(), now); // kept for when the lock ends, unless revoked
        store.touchSession(hash, now);
        return new Principal(account.username(), Principal.Kind.USER, roles(account.roles()));
    }

    /**
     * Refuses a subject (an account or a source) while it is locked: after failed attempts, or by a threat rule's
     * response, from any engine on the store. A locked account's sessions, API keys and tokens are refused too, not
     * only its logins.
     *
     * @param kind what was presented ({@code login}, {@code session}, {@code api-key}, {@code token}): the refusal's
     *        audit action is {@code auth:<kind>}
     */
    private void refuseLocked(String kind, String subject, Instant now) {
        store.failures(subject).map(Failures::lockedUntil).filter(now::isBefore).ifPresent(until -> {
            throw blocked(kind, subject, Duration.between(now, until));
        });
    }

    /** Throttles, then locks, a subject (an account or a source) after failed attempts. */
    private void throttle(String subject, Instant now) {
        refuseLocked("login", subject, now);
        Optional<Failures> failures = store.failures(subject);
        if (failures.isEmpty()) {
            return;
        }
        Failures f = failures.get();
        if (f.count() >= options.throttleAfter()) {
            Instant next = f.last().plusSeconds(1L << Math.min(16, f.count() - options.throttleAfter()));
            if (now.isBefore(next)) {
                throw blocked("login", subject, Duration.between(now, next));
            }
        }
    }

    private RateLimitedException blocked(String kind, String subject, Duration wait) {
        String who = subject.substring(subject.indexOf(':') + 1);
        emit(kind, who, Outcome.DENIED, "locked: too many failed attempts or a threat for " + subject);
        audit.append(who, "auth:" + kind, subject, Outcome.DENIED, "locked: too many failed attempts or a threat");
        return new RateLimitedException("too many failed attempts or a threat detected; try again in " + Math.max(1,
                wait.toSeconds()) + " s", wait, null);
    }

    private void fail(String subject, Instant now) {
        int count = store.failures(subject).map(Failures::count).orElse(0) + 1;
        store.saveFailures(subject, new Failures(count, now, count >= options.lockAfter()
                ? now.plus(options
                        .lockFor())
                : null));
    }

    private AuthenticationException failed(String kind, String who, String why) {
        audit.append(who, "auth:" + kind, who, Outcome.FAILURE, scanner.redact(why));
        emit(kind, who, Outcome.FAILURE, why);
        return new AuthenticationException("authentication failed: " + why, null);
    }

    private void succeeded(String kind, String who, String how) {
        audit.append(who, "auth:" + kind, who, Outcome.SUCCESS, how);
        emit(kind, who, Outcome.SUCCESS, how);
    }

    private void emit(String kind, String who, Outcome outcome, String detail) {
        Event event = new Event(clock.instant(), kind, who, outcome, detail);
        listeners.forEach(l -> l.accept(event));
    }

    // ------------------------------------------------------------------ authorization

    @Override
    public AccessDecision check(Principal principal, Permission permission) {
        return rbac.check(principal, permission);
    }

    @Override
    public AccessDecision require(Principal principal, Permission permission) {
        AccessDecision decision = rbac.check(principal, permission);
        String account = principal.kind() == Principal.Kind.USER ? principal.id() : null;
        if (!decision.allowed()) {
            audit.append(principal.id(), permission.toString(), "", Outcome.DENIED, decision.reason());
            emit("denied", principal.id(), Outcome.DENIED, decision.reason());
            threats.signal(new ThreatDetector.Signal(ThreatRule.PERMISSION_DENIALS, "principal:" + principal.id(),
                    account, null, evidence("principal", principal.id(), "permission", permission.toString())));
            throw new PolicyDeniedException(decision.reason(), null);
        }
        try {
            limits.take(principal, permission);
        } catch (RateLimitedException e) {
            threats.signal(new ThreatDetector.Signal(ThreatRule.RATE_LIMIT_FLOOD, "principal:" + principal.id(),
                    account, null, evidence("principal", principal.id(), "permission", permission.toString())));
            throw e;
        }
        return decision;
    }

    @Override
    public void defineRole(String name, Set<Permission> grants, Set<String> inherits) {
        Role role;
        try {
            role = new Role(name, grants, inherits);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new InvalidRequestException(e.getMessage(), null);
        }
        if (role.name().equals(Role.ADMIN)) {
            throw new InvalidRequestException("role 'admin' is built in and grants everything; it cannot be changed",
                    null);
        }
        Set<String> others = new TreeSet<>(role.inherits());
        others.remove(role.name());
        requireDefined(others, "inherits");
        store.putRole(role.name(), joined(role.grants().stream().map(Permission::toString).toList()), joined(role
                .inherits()), clock.instant());
        rbac.define(role);
        audit.append("security", "role:define", role.name(), Outcome.SUCCESS, "grants " + new TreeSet<>(role.grants()
                .stream().map(Permission::toString).toList()) + ", inherits " + new TreeSet<>(role.inherits()));
    }

    @Override
    public void removeRole(String name) {
        if (Role.ADMIN.equals(name)) {
            throw new InvalidRequestException("role 'admin' is built in; it cannot be deleted", null);
        }
        reloadRoles();
        List<String> heirs = rbac.roles().values().stream().filter(r -> !r.name().equals(name) && r.inherits()
                .contains(name)).map(Role::name).toList();
        if (!heirs.isEmpty()) {
            throw new InvalidRequestException("role '" + name + "' is inherited by " + heirs
                    + "; redefine or delete those first", null);
        }
        if (!store.deleteRole(name)) {
            throw new NotFoundException("no role is named '" + name + "'", null);
        }
        rbac.remove(name);
        audit.append("security", "role:delete", name, Outcome.SUCCESS, "deleted");
    }

    @Override
    public List<Role> roles() {
        reloadRoles();
        return List.copyOf(rbac.roles().values());
    }

    /** Reads the roles from the store: another engine on it may have changed them. */
    private void reloadRoles() {
        rbac.replaceAll(store.roles().stream().map(r -> new Role(r.name(), split(r.grants()).stream().map(
                Permission::parse).collect(Collectors.toSet()), split(r.inherits()))).toList(), Set.of(Role.ADMIN));
    }

    /**
     * @param field what the names are, for the message
     * @throws InvalidRequestException naming the first role that neither this engine nor the store knows
     */
    private void requireDefined(Set<String> names, String field) {
        if (rbac.roles().keySet().containsAll(names)) {
            return;
        }
        reloadRoles(); // defined meanwhile by another engine on the store?
        Set<String> known = rbac.roles().keySet();
        for (String name : new TreeSet<>(names)) {
            if (!known.contains(name)) {
                throw new InvalidRequestException(field + ": no role is named '" + name + "' (defined: " + String.join(
                        ", ", known) + "); define it first", null);
            }
        }
    }

    private static String joined(Collection<String> parts) {
        return String.join(",", new TreeSet<>(parts));
    }

    @Override
    public void limit(Permission pattern, double perSecond, int burst) {
        limits.add(pattern, perSecond, burst);
    }

    @Override
    public List<AuditEntry> audit(long fromSequence, int limit) {
        if (fromSequence < 1 || limit < 1) {
            throw new InvalidRequestException("fromSequence and limit must be at least 1", null);
        }
        return audit.read(fromSequence, limit);
    }

    // ------------------------------------------------------------------ accounts, keys, sessions, tokens

    @Override
    public void addUser(String username, Secret password, Set<String> roles) {
        checkName(username);
        requireDefined(roles, "roles");
        char[] chars = password.reveal().toCharArray();
        passwords.problem(chars).ifPresent(p -> {
            throw new InvalidRequestException(p, null);
        });
        if (!store.addAccount(username, passwords.hash(chars), String.join(",", new TreeSet<>(roles)), clock
                .instant())) {
            throw new InvalidRequestException("user name '" + username + "' is taken", null);
        }
        audit.append("security", "account:add", username, Outcome.SUCCESS, "roles " + new TreeSet<>(roles));
    }

    @Override
    public void changePassword(String username, Secret newPassword) {
        char[] chars = newPassword.reveal().toCharArray();
        passwords.problem(chars).ifPresent(p -> {
            throw new InvalidRequestException(p, null);
        });
        if (!store.setPassword(username, passwords.hash(chars))) {
            throw new NotFoundException("no account is named '" + username + "'", null);
        }
        store.deleteSessionsOf(username);
        audit.append(username, "account:password", username, Outcome.SUCCESS, "password changed");
    }

    @Override
    public void disableUser(String username) {
        if (!store.disable(username)) {
            throw new NotFoundException("no account is named '" + username + "'", null);
        }
        store.deleteSessionsOf(username);
        audit.append("security", "account:disable", username, Outcome.SUCCESS, "disabled; sessions ended");
    }

    @Override
    public TotpEnrollment enrollTotp(String username) {
        if (store.account(username).isEmpty()) {
            throw new NotFoundException("no account is named '" + username + "'", null);
        }
        byte[] secret = new byte[20];
        random.nextBytes(secret);
        requireVault().put("totp/" + username, Secret.of(Base64.getEncoder().encodeToString(secret)));
        store.setTotp(username, "vault:totp/" + username);
        audit.append(username, "account:totp", username, Outcome.SUCCESS, "TOTP enrolled");
        return new TotpEnrollment(Secret.of(Totp.uri("CODE", username, secret, Totp.Algorithm.SHA1, 6)), Secret.of(
                Totp.Base32.encode(secret)));
    }

    @Override
    public IssuedApiKey createApiKey(String owner, Set<String> roles, @Nullable Duration ttl) {
        checkName(owner);
        requireDefined(roles, "roles");
        byte[] id = new byte[8];
        byte[] secret = new byte[32];
        random.nextBytes(id);
        random.nextBytes(secret);
        String keyId = HEX.formatHex(id);
        String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Instant now = clock.instant();
        Instant expires = ttl == null ? null : now.plus(ttl);
        store.addApiKey(keyId, owner, sha256(secretText), String.join(",", new TreeSet<>(roles)), expires, now);
        audit.append(owner, "apikey:create", keyId, Outcome.SUCCESS, "roles " + new TreeSet<>(roles));
        return new IssuedApiKey(keyId, Secret.of(KEY_PREFIX + keyId + "_" + secretText), expires);
    }

    @Override
    public void revokeApiKey(String id) {
        if (!store.revokeApiKey(id)) {
            throw new NotFoundException("no API key has the id '" + id + "'", null);
        }
        audit.append("security", "apikey:revoke", id, Outcome.SUCCESS, "revoked");
    }

    @Override
    public Session login(Credentials.Password credentials, String source, @Nullable Secret previousSession) {
        checkSource(source);
        Principal principal = password(credentials, source);
        if (previousSession != null) {
            store.deleteSession(sha256(previousSession.reveal()));
        }
        byte[] token = new byte[32];
        random.nextBytes(token);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        Instant now = clock.instant();
        Instant expires = now.plus(options.absoluteTimeout());
        store.addSession(sha256(text), principal.id(), now, expires);
        return new Session(Secret.of(text), principal, expires);
    }

    @Override
    public void logout(Secret sessionToken) {
        store.deleteSession(sha256(sessionToken.reveal()));
    }

    @Override
    public Secret issueToken(Principal principal, Duration ttl) {
        if (jwt == null) {
            throw new ConfigurationException("no JWT signing key is configured", null);
        }
        return jwt.issue(principal, ttl);
    }

    @Override
    public void onEvent(Consumer<Event> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
    }

    @Override
    public AuditVerification verifyAudit() {
        AuditLog.Signer signer = auditSigner;
        AuditLog.Verification v = audit.verify(signer == null ? null : signer.publicKey(), List.of());
        int checkpoints = signer == null ? 0 : audit.checkpoints().size();
        if (!v.intact()) {
            Long broken = v.firstBroken();
            threats.signal(new ThreatDetector.Signal(ThreatRule.AUDIT_CHAIN_BROKEN, "audit", null, null, evidence(
                    "firstBroken", broken == null ? "" : broken.toString(), "reason", v.reason())));
        }
        return new AuditVerification(v.entries(), v.firstBroken(), v.reason(), checkpoints);
    }

    @Override
    public boolean checkpointAudit() {
        AuditLog.Signer signer = auditSigner;
        return signer != null && audit.checkpoint(signer) != null;
    }

    @Override
    public Vault vault() {
        return requireVault();
    }

    @Override
    public SecretScanner scanner() {
        return scanner;
    }

    @Override
    public SecretScanner scanner(Path gitleaksConfig) {
        return new RegexSecretScanner(GitleaksConfig.load(gitleaksConfig));
    }

    private DefaultVault requireVault() {
        if (vault == null) {
            throw new ConfigurationException("the vault has no master key; build the engine with"
                    + " CodeEngine.builder().vaultMasterKey(...)", null);
        }
        return vault;
    }

    private static Set<String> roles(String joined) {
        return split(joined);
    }

    private static Set<String> split(String joined) {
        return joined.isEmpty() ? Set.of() : Set.of(joined.split(","));
    }

    private static void checkName(String name) {
        if (name == null || name.isBlank() || name.length() > 200 || name.contains(",")) {
            throw new InvalidRequestException("a name must be 1 to 200 characters without ','", null);
        }
    }

    /** {@return the pairs as an ordered map: name, value, name, value...} */
    private static Map<String, String> evidence(String... pairs) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    static String sha256(String text) {
        return HEX.formatHex(Merkle.sha256().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Token buckets per principal and rule. */
    static final class RateLimits {
        private record Rule(Permission pattern, double perSecond, int burst) {}

        private static final class Bucket {
            double tokens;
            long refilledNanos;
        }

        private final List<Rule> rules = new CopyOnWriteArrayList<>();
        private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
        private final Clock clock;

        RateLimits(Clock clock) {
            this.clock = clock;
        }

        void add(Permission pattern, double perSecond, int burst) {
            if (!(perSecond > 0) || burst < 1) {
                throw new InvalidRequestException("perSecond must be positive and burst at least 1", null);
            }
            rules.add(new Rule(pattern, perSecond, burst));
        }

        void take(Principal principal, Permission permission) {
            for (int i = 0; i < rules.size(); i++) {
                Rule rule = rules.get(i);
                if (!matches(rule.pattern(), permission)) {
                    continue;
                }
                Bucket bucket = buckets.computeIfAbsent(i + "|" + principal.id(), k -> {
                    Bucket b = new Bucket();
                    b.tokens = rule.burst();
                    b.refilledNanos = nanos();
                    return b;
                });
                synchronized (bucket) {
                    long now = nanos();
                    bucket.tokens = Math.min(rule.burst(), bucket.tokens + (now - bucket.refilledNanos) / 1e9 * rule
                            .perSecond());
                    bucket.refilledNanos = now;
                    if (bucket.tokens < 1) {
                        Duration wait = Duration.ofNanos((long) ((1 - bucket.tokens) / rule.perSecond() * 1e9));
                        throw new RateLimitedException(principal.id() + " used " + rule.pattern() + " more than "
                                + rule.perSecond() + " times a second", wait, null);
                    }
                    bucket.tokens -= 1;
                }
            }
        }

        private long nanos() {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        }

        private static boolean matches(Permission pattern, Permission p) {
            return part(pattern.domain(), p.domain()) && part(pattern.action(), p.action()) && part(pattern.instance(),
                    p.instance());
        }

        private static boolean part(String pattern, String value) {
            return pattern.equals("*") || pattern.equals(value);
        }
    }
}
