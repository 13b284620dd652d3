package org.codeengine.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.InvalidRequestException;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.RateLimitedException;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.StoreException;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.AuditVerification;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.Role;
import org.codeengine.api.security.SecretRef;
import org.codeengine.api.security.Security;
import org.codeengine.api.security.ThreatRule;
import org.codeengine.core.CodeEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CODE's security through the engine: accounts, TOTP, API keys, sessions, JWTs, lock-out, rate limits, vault. */
class SecurityTest {
    static final String PASSWORD = "correct horse battery staple";

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-11-24T12:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    @TempDir
    Path dir;
    final MovableClock clock = new MovableClock();
    final String masterKey = Base64.getEncoder().encodeToString(new byte[32]);
    CodeEngine engine;
    Security security;
    final List<Security.Event> events = Collections.synchronizedList(new ArrayList<>());
    final List<String> exceptionMessages = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair jwtKey = ec.generateKeyPair();
        engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db"))).clock(clock).adoptOrphanedRuns(
                false).vaultMasterKey(Secret.of(masterKey)).jwtKey("k1", "ES256", jwtKey.getPublic(), jwtKey
                        .getPrivate())
                .build();
        security = engine.security();
        security.onEvent(events::add);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    /** The roles the tests' accounts and keys hold. */
    void defineRoles() {
        security.defineRole("ops", Set.of(Permission.parse("deploy:*:*")), Set.of());
        security.defineRole("deployer", Set.of(Permission.parse("deploy:*:dev")), Set.of());
    }

    Principal login(String password) {
        try {
            return security.authenticate(new Credentials.Password("alice", Secret.of(password), null));
        } catch (RuntimeException e) {
            exceptionMessages.add(e.getMessage());
            throw e;
        }
    }

    @Test
    void accounts_followThePasswordPolicy_andLogInWithTheirRoles() {
        defineRoles();
        assertThatThrownBy(() -> security.addUser("bob", Secret.of("short"), Set.of())).isInstanceOf(
                InvalidRequestException.class).hasMessageContaining("at least 8");
        assertThatThrownBy(() -> security.addUser("bob", Secret.of("password1"), Set.of())).hasMessageContaining(
                "most common");
        security.addUser("alice", Secret.of(PASSWORD), Set.of("ops"));
        assertThatThrownBy(() -> security.addUser("alice", Secret.of(PASSWORD), Set.of())).hasMessageContaining(
                "taken");
        assertThat(login(PASSWORD)).isEqualTo(new Principal("alice", Principal.Kind.USER, Set.of("ops")));
        assertThatThrownBy(() -> login("wrong password!")).isInstanceOf(AuthenticationException.class)
                .hasMessage("authentication failed: wrong user name or password");
    }

    @Test
    void failedLogins_throttleThenLockTheAccount_andEveryAttemptIsAudited() {
        security.addUser("alice", Secret.of(PASSWORD), Set.of());
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> login("wrong password!")).isInstanceOf(AuthenticationException.class);
        }
        assertThatThrownBy(() -> login(PASSWORD)).as("throttled: even the right password waits").isInstanceOf(
                RateLimitedException.class);
        for (int i = 3; i < 10; i++) {
            clock.advance(Duration.ofMinutes(2));
            assertThatThrownBy(() -> login("wrong password!")).isInstanceOf(AuthenticationException.class);
        }
        clock.advance(Duration.ofMinutes(5));
        assertThatThrownBy(() -> login(PASSWORD)).as("locked").isInstanceOf(RateLimitedException.class);
        clock.advance(Duration.ofMinutes(11));
        assertThat(login(PASSWORD).id()).isEqualTo("alice");
        List<AuditEntry> audit = engine.security().audit(1, 100);
        assertThat(audit).filteredOn(e -> e.action().equals("auth:login")).extracting(AuditEntry::outcome).contains(
                AuditEntry.Outcome.FAILURE, AuditEntry.Outcome.DENIED, AuditEntry.Outcome.SUCCESS);
        assertThat(events).extracting(Security.Event::kind).contains("login");
        assertNoSecretLeaked(PASSWORD, "wrong password!");
    }

    @Test
    void failedLoginsFromOneSource_lockThatSource_acrossAccounts_butNotOthers() {
        security.addUser("alice", Secret.of(PASSWORD), Set.of());
        for (int i = 0; i < 10; i++) {
            String user = "guess" + i; // a different account each time: only the source counter climbs
            clock.advance(Duration.ofMinutes(2));
            assertThatThrownBy(() -> security.login(new Credentials.Password(user, Secret.of("wrong password!"),
                    null), "10.0.0.9", null)).isInstanceOf(AuthenticationException.class);
        }
        assertThatThrownBy(() -> security.login(new Credentials.Password("alice", Secret.of(PASSWORD), null),
                "10.0.0.9", null)).isInstanceOf(RateLimitedException.class);
        assertThat(security.login(new Credentials.Password("alice", Secret.of(PASSWORD), null), "10.0.0.10", null)
                .principal().id()).isEqualTo("alice");
        assertThat(login(PASSWORD).id()).as("authenticate() without a source is not locked by it").isEqualTo("alice");
    }

    @Test
    void totp_isRequiredOnceEnrolled_andACodeIsNeverAcceptedTwice() {
        security.addUser("alice", Secret.of(PASSWORD), Set.of());
        Security.TotpEnrollment enrolment = security.enrollTotp("alice");
        assertThat(enrolment.uri().reveal()).startsWith("otpauth://totp/CODE:alice?secret=");
        assertThat(enrolment.toString()).doesNotContain(enrolment.secret().reveal());
        assertThatThrownBy(() -> login(PASSWORD)).hasMessageContaining("one-time code");
        byte[] secret = Base64.getDecoder().decode(security.vault().get("totp/alice").orElseThrow().reveal());
        String code = Totp.code(secret, Totp.Algorithm.SHA1, 6, Totp.step(clock.instant()));
        clock.advance(Duration.ofMinutes(1)); // past the throttle of the failure above... and one step of skew
        clock.now = clock.now.minusSeconds(60);
        assertThat(security.authenticate(new Credentials.Password("alice", Secret.of(PASSWORD), code)).id())
                .isEqualTo("alice");
        assertThatThrownBy(() -> security.authenticate(new Credentials.Password("alice", Secret.of(PASSWORD), code)))
                .hasMessageContaining("used already");
    }

    @Test
    void roles_areKeptInTheStore_andUnknownRolesAreRefused() throws Exception {
        defineRoles();
        assertThatThrownBy(() -> security.createApiKey("ci-bot", Set.of("nosuchrole"), null)).isInstanceOf(
                InvalidRequestException.class).hasMessageContaining("roles: no role is named 'nosuchrole'")
                .hasMessageContaining("admin, deployer, ops");
        assertThatThrownBy(() -> security.addUser("bob", Secret.of(PASSWORD), Set.of("nosuchrole")))
                .hasMessageContaining("no role is named 'nosuchrole'");
        assertThatThrownBy(() -> security.defineRole("lead", Set.of(), Set.of("nosuchrole"))).hasMessageContaining(
                "inherits: no role is named 'nosuchrole'");
        assertThatThrownBy(() -> security.defineRole("admin", Set.of(), Set.of())).hasMessageContaining("built in");
        assertThatThrownBy(() -> security.defineRole("Lead", Set.of(), Set.of())).isInstanceOf(
                InvalidRequestException.class).hasMessageContaining("role name must match");
        security.defineRole("lead", Set.of(Permission.parse("tool:call:search")), Set.of("deployer"));
        assertThatThrownBy(() -> security.removeRole("deployer")).hasMessageContaining("inherited by [lead]");
        assertThatThrownBy(() -> security.removeRole("admin")).hasMessageContaining("built in");
        assertThatThrownBy(() -> security.removeRole("nosuchrole")).isInstanceOf(NotFoundException.class);

        engine.close();
        open(); // a new engine on the same store: the roles were kept there
        assertThat(security.roles()).extracting(Role::name).containsExactly("admin", "deployer", "lead", "ops");
        Security.IssuedApiKey key = security.createApiKey("ci-bot", Set.of("lead"), null);
        Principal bot = security.authenticate(new Credentials.ApiKey(key.key()));
        assertThat(security.check(bot, Permission.parse("deploy:run:dev")).allowed()).as("inherited").isTrue();
        assertThat(security.check(bot, Permission.parse("deploy:run:prod")).allowed()).isFalse();

        security.removeRole("lead");
        assertThat(security.check(bot, Permission.parse("tool:call:search")).allowed()).isFalse();
        assertThat(security.roles()).extracting(Role::name).containsExactly("admin", "deployer", "ops");
        assertThat(security.audit(1, 100)).extracting(AuditEntry::action).contains("role:define", "role:delete");
    }

    @Test
    void apiKeys_authenticate_areStoredOnlyAsHashes_andStopWhenRevokedOrExpired() throws Exception {
        defineRoles();
        Security.IssuedApiKey key = security.createApiKey("ci-bot", Set.of("deployer"), Duration.ofDays(1));
        assertThat(key.key().reveal()).startsWith("code_" + key.id() + "_");
        assertThat(key.toString()).doesNotContain(key.key().reveal());
        assertThat(security.authenticate(new Credentials.ApiKey(key.key()))).isEqualTo(new Principal("ci-bot",
                Principal.Kind.SERVICE, Set.of("deployer")));
        assertThat(tableText("code_api_key")).doesNotContain(key.key().reveal().substring(22));
        assertThatThrownBy(() -> security.authenticate(new Credentials.ApiKey(Secret.of(key.key().reveal() + "x"))))
                .isInstanceOf(AuthenticationException.class);
        clock.advance(Duration.ofDays(2));
        assertThatThrownBy(() -> security.authenticate(new Credentials.ApiKey(key.key()))).hasMessageContaining(
                "expired");
        Security.IssuedApiKey other = security.createApiKey("ci-bot", Set.of(), null);
        security.revokeApiKey(other.id());
        assertThatThrownBy(() -> security.authenticate(new Credentials.ApiKey(other.key()))).hasMessageContaining(
                "revoked");
        assertNoSecretLeaked(key.key().reveal(), other.key().reveal());
    }

    @Test
    void sessions_timeOut_rotateOnReauthentication_andEndOnLogoutOrDisable() {
        defineRoles();
        security.addUser("alice", Secret.of(PASSWORD), Set.of("ops"));
        Credentials.Password credentials = new Credentials.Password("alice", Secret.of(PASSWORD), null);
        Security.Session first = security.login(credentials, "10.0.0.1", null);
        assertThat(security.authenticate(new Credentials.BearerToken(first.token())).roles()).containsExactly("ops");
        Security.Session second = security.login(credentials, "10.0.0.1", first.token());
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(first.token()))).as("rotated")
                .isInstanceOf(AuthenticationException.class);
        clock.advance(Duration.ofMinutes(31));
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(second.token())))
                .hasMessageContaining("timed out");
        Security.Session third = security.login(credentials, "10.0.0.1", null);
        security.logout(third.token());
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(third.token())))
                .isInstanceOf(AuthenticationException.class);
        Security.Session fourth = security.login(credentials, "10.0.0.1", null);
        security.disableUser("alice");
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(fourth.token())))
                .isInstanceOf(AuthenticationException.class);
        assertThatThrownBy(() -> security.login(credentials, "10.0.0.1", null)).hasMessageContaining("disabled");
    }

    @Test
    void jwtsIssuedByTheEngine_authenticate() {
        Secret token = security.issueToken(new Principal("svc", Principal.Kind.SERVICE, Set.of("ops")), Duration
                .ofMinutes(5));
        assertThat(security.authenticate(new Credentials.BearerToken(token))).isEqualTo(new Principal("svc",
                Principal.Kind.SERVICE, Set.of("ops")));
        clock.advance(Duration.ofMinutes(6));
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(token))).hasMessageContaining(
                "expired");
    }

    @Test
    void require_deniesByDefault_auditsTheDenial_andRateLimitsPerPrincipal() {
        Principal ops = new Principal("ops-1", Principal.Kind.USER, Set.of("ops"));
        assertThatThrownBy(() -> security.require(ops, Permission.parse("deploy:run:prod"))).isInstanceOf(
                PolicyDeniedException.class);
        assertThat(security.audit(1, 10)).extracting(AuditEntry::action, AuditEntry::outcome).contains(
                org.assertj.core.groups.Tuple.tuple("deploy:run:prod", AuditEntry.Outcome.DENIED));
        security.defineRole("ops", Set.of(Permission.parse("deploy:*:*")), Set.of());
        security.limit(Permission.parse("deploy:run:*"), 1, 2);
        security.require(ops, Permission.parse("deploy:run:prod"));
        security.require(ops, Permission.parse("deploy:run:prod"));
        assertThatThrownBy(() -> security.require(ops, Permission.parse("deploy:run:prod"))).isInstanceOf(
                RateLimitedException.class);
        security.require(new Principal("ops-2", Principal.Kind.USER, Set.of("ops")), Permission.parse(
                "deploy:run:prod"));
        clock.advance(Duration.ofSeconds(1));
        security.require(ops, Permission.parse("deploy:run:prod"));
    }

    @Test
    void theVault_sealsSecrets_bindsThemToTheirName_andRotatesKeys() throws Exception {
        security.vault().put("openai/key", Secret.of("sk-live-value-123"));
        assertThat(security.vault().resolve(SecretRef.parse("secret://openai/key")).reveal()).isEqualTo(
                "sk-live-value-123");
        assertThat(tableText("code_vault_secret")).doesNotContain("sk-live-value-123");
        security.vault().put("other", Secret.of("x"));
        try (Connection c = connection(); Statement s = c.createStatement()) {
            s.executeUpdate("update code_vault_secret set sealed = (select sealed from code_vault_secret where name ="
                    + " 'openai/key') where name = 'other'");
        }
        assertThatThrownBy(() -> security.vault().get("other")).isInstanceOf(StoreException.class)
                .hasMessageNotContaining("sk-live");
        security.vault().delete("other");
        security.vault().rotateDataKey();
        assertThat(security.vault().get("openai/key").orElseThrow().reveal()).isEqualTo("sk-live-value-123");
        String next = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());
        security.vault().rotateMasterKey(Secret.of(next));
        assertThat(security.vault().get("openai/key").orElseThrow().reveal()).isEqualTo("sk-live-value-123");
        engine.close();
        engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db"))).adoptOrphanedRuns(false)
                .vaultMasterKey(Secret.of(masterKey)).build();
        assertThatThrownBy(() -> engine.security().vault().get("openai/key")).as("the old master key no longer opens")
                .isInstanceOf(StoreException.class);
    }

    @Test
    void theAuditLog_signsCheckpoints_everyThousandEntries_andVerificationCatchesATruncatedTail() throws Exception {
        engine.close();
        KeyPair audit = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        engine = CodeEngine.builder().store(StoreConfig.h2File(dir.resolve("code-db"))).adoptOrphanedRuns(false)
                .auditSigningKey(audit)
                // a thousand denials in a row is a threat; here only the entries they write are wanted
                .threatRule(new ThreatRule(ThreatRule.PERMISSION_DENIALS, 1000, Duration.ofMillis(1),
                        ThreatRule.Severity.LOW, Set.of(), Duration.ofMinutes(1)))
                .build();
        security = engine.security();
        Principal nobody = new Principal("nobody", Principal.Kind.USER, Set.of());
        for (int i = 0; i < 1001; i++) {
            assertThatThrownBy(() -> security.require(nobody, Permission.parse("tool:call:x"))).isInstanceOf(
                    PolicyDeniedException.class);
        }
        AuditVerification intact = security.verifyAudit();
        assertThat(intact.intact()).isTrue();
        assertThat(intact.entries()).isEqualTo(1001);
        assertThat(intact.checkpoints()).as("signed by itself at 1,000").isEqualTo(1);
        try (Connection c = connection(); Statement s = c.createStatement()) {
            s.executeUpdate("delete from code_audit where seq > 900");
            s.executeUpdate(
                    "update code_audit_head set seq = 900, hash = (select hash from code_audit where seq = 900)");
        }
        assertThat(security.verifyAudit().reason()).contains("truncated");
    }

    void assertNoSecretLeaked(String... secrets) {
        List<String> texts = new ArrayList<>(exceptionMessages);
        engine.security().audit(1, 1000).forEach(e -> texts.add(e.toString()));
        events.forEach(e -> texts.add(e.toString()));
        for (String secret : secrets) {
            assertThat(texts).noneMatch(t -> t.contains(secret));
        }
    }

    Connection connection() throws Exception {
        return DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("code-db").toAbsolutePath());
    }

    String tableText(String table) throws Exception {
        StringBuilder text = new StringBuilder();
        try (Connection c = connection();
                Statement s = c.createStatement();
                ResultSet r = s.executeQuery(
                        "select * from " + table)) {
            while (r.next()) {
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    text.append(r.getString(i)).append('|');
                }
            }
        }
        return text.toString();
    }
}
