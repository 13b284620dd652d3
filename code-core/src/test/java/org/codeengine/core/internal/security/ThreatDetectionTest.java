package org.codeengine.core.internal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.CallContext;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.RateLimitedException;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.api.security.Security;
import org.codeengine.api.security.ThreatRule;
import org.codeengine.api.security.ThreatRule.Response;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.internal.orchestrator.Pg;
import org.codeengine.core.internal.security.SecurityTest.MovableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Threat detection through the engine's security face: one test per rule drives its signal, sees the
 * {@code threat_detected} event in the outbox, the audit entry and the response, and sees the rule stay silent one
 * signal below its threshold; a lock or block holds for a second engine on the store. No secret reaches an event, an
 * audit entry or a listener.
 */
class ThreatDetectionTest {
    static final String PASSWORD = "correct horse battery staple";
    static final String WRONG = "wrong horse battery staple";
    static final Principal ADMIN = new Principal("root", Principal.Kind.USER, Set.of("admin"));

    @TempDir
    Path dir;
    final MovableClock clock = new MovableClock();
    final List<CodeEngine> engines = new ArrayList<>();
    final List<Security.Event> listened = Collections.synchronizedList(new ArrayList<>());
    final List<String> secrets = new ArrayList<>(List.of(PASSWORD, WRONG));
    KeyPair jwtKey;
    StoreConfig store;
    CodeEngine engine;
    Security security;

    void open(ThreatRule... rules) throws Exception {
        open(StoreConfig.h2File(dir.resolve("code-db")), rules);
    }

    void open(StoreConfig config, ThreatRule... rules) throws Exception {
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        jwtKey = ec.generateKeyPair();
        store = config;
        engine = engine(rules);
        security = engine.security();
        security.onEvent(listened::add);
        security.addUser("alice", Secret.of(PASSWORD), Set.of());
    }

    CodeEngine engine(ThreatRule... rules) {
        CodeEngine e = CodeEngine.builder().store(store).clock(clock).adoptOrphanedRuns(false).relay(false)
                .vaultMasterKey(Secret.of(Base64.getEncoder().encodeToString(new byte[32]))).jwtKey("k1", "ES256",
                        jwtKey.getPublic(), jwtKey.getPrivate())
                .threatRules(List.of(rules)).build();
        engines.add(e);
        return e;
    }

    @AfterEach
    void close() {
        engines.reversed().forEach(CodeEngine::close);
    }

    static ThreatRule rule(String id, UnaryOperator<ThreatRule> change) {
        return change.apply(ThreatRule.defaults().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow());
    }

    /** {@return the threat events of a rule in the outbox, oldest first} */
    List<CloudEvent> threats(String rule) {
        return engine.events().history(new CallContext(ADMIN, null, "test"), null, CloudEvent.THREAT_DETECTED, 1000)
                .stream().filter(e -> rule.equals(e.data().get("rule"))).toList();
    }

    List<AuditEntry> audited(String rule) {
        return security.audit(1, 10_000).stream().filter(e -> e.action().equals("security:threat:" + rule)).toList();
    }

    /** Asserts one hit of the rule: one event with its severity and evidence, one audit entry; returns the event. */
    CloudEvent hitOnce(String rule, ThreatRule.Severity severity) {
        List<CloudEvent> events = threats(rule);
        assertThat(events).as("threat events of " + rule).hasSize(1);
        CloudEvent event = events.getFirst();
        assertThat(event.data()).containsEntry("severity", severity.name()).containsKeys("count", "window",
                "responses", "auditSequence");
        List<AuditEntry> entries = audited(rule);
        assertThat(entries).hasSize(1);
        assertThat(entries.getFirst().outcome()).isEqualTo(AuditEntry.Outcome.DENIED);
        assertThat(event.data().get("auditSequence")).isEqualTo(Long.toString(entries.getFirst().sequence()));
        assertThat(listened).anyMatch(e -> e.kind().equals("threat") && e.detail().startsWith(rule));
        assertNoSecretLeaked();
        return event;
    }

    void silent(String rule) {
        assertThat(threats(rule)).as(rule + " below its threshold").isEmpty();
        assertThat(audited(rule)).isEmpty();
    }

    void assertNoSecretLeaked() {
        List<String> texts = new ArrayList<>();
        security.audit(1, 10_000).forEach(e -> texts.add(e.toString()));
        engine.events().history(new CallContext(ADMIN, null, "test"), null, "*", 10_000).forEach(e -> texts.add(e
                .toString()));
        listened.forEach(e -> texts.add(e.toString()));
        for (String secret : secrets) {
            assertThat(texts).noneMatch(t -> t.contains(secret));
        }
    }

    void wrongLogin(String user, String source) {
        clock.advance(Duration.ofMinutes(1)); // past the throttle's wait
        assertThatThrownBy(() -> security.login(new Credentials.Password(user, Secret.of(WRONG), null), source,
                null)).isInstanceOf(AuthenticationException.class);
    }

    Security.Session login(Security on, String source) {
        return on.login(new Credentials.Password("alice", Secret.of(PASSWORD), null), source, null);
    }

    @Test
    void failedLoginsForOneAccount_lockIt_forEveryEngineOnTheStore() throws Exception {
        open(rule(ThreatRule.LOGIN_BURST_ACCOUNT, r -> r.withThreshold(4).withResponses(Set.of(
                Response.LOCK_ACCOUNT), Duration.ofHours(1))));
        for (int i = 0; i < 3; i++) {
            wrongLogin("alice", "10.0.0." + i);
        }
        silent(ThreatRule.LOGIN_BURST_ACCOUNT);
        wrongLogin("alice", "10.0.0.3");
        CloudEvent event = hitOnce(ThreatRule.LOGIN_BURST_ACCOUNT, ThreatRule.Severity.HIGH);
        assertThat(event.subject()).isEqualTo("account:alice");
        assertThat(event.data()).containsEntry("account", "alice").containsEntry("count", "4").containsEntry(
                "source", "10.0.0.3");
        assertThat(event.data().get("responses")).startsWith("account locked until");
        clock.advance(Duration.ofMinutes(20)); // the built-in throttle has long let go; the lock has not
        assertThatThrownBy(() -> login(security, "10.9.9.9")).isInstanceOf(RateLimitedException.class);
        Security other = engine().security();
        assertThatThrownBy(() -> login(other, "10.9.9.9")).as("the lock is in the store").isInstanceOf(
                RateLimitedException.class);
        clock.advance(Duration.ofMinutes(41));
        assertThat(login(other, "10.9.9.9").principal().id()).isEqualTo("alice");
    }

    @Test
    void failedLoginsFromOneSource_blockIt_forAnyCredentials() throws Exception {
        open(rule(ThreatRule.LOGIN_BURST_SOURCE, r -> r.withThreshold(3)));
        Security.IssuedApiKey key = security.createApiKey("ci-bot", Set.of(), null);
        secrets.add(key.key().reveal());
        wrongLogin("guess-1", "10.0.0.9");
        wrongLogin("guess-2", "10.0.0.9");
        silent(ThreatRule.LOGIN_BURST_SOURCE);
        wrongLogin("guess-3", "10.0.0.9");
        CloudEvent event = hitOnce(ThreatRule.LOGIN_BURST_SOURCE, ThreatRule.Severity.HIGH);
        assertThat(event.subject()).isEqualTo("source:10.0.0.9");
        assertThat(event.data().get("responses")).startsWith("source blocked until");
        assertThatThrownBy(() -> login(security, "10.0.0.9")).isInstanceOf(RateLimitedException.class);
        assertThatThrownBy(() -> engine().security().authenticate(new Credentials.ApiKey(key.key()), "10.0.0.9"))
                .as("blocked for a key too, on another engine").isInstanceOf(RateLimitedException.class);
        assertThat(login(security, "10.0.0.10").principal().id()).isEqualTo("alice");
        clock.advance(Duration.ofMinutes(31));
        assertThat(security.authenticate(new Credentials.ApiKey(key.key()), "10.0.0.9").id()).isEqualTo("ci-bot");
    }

    @Test
    void aTotpCodeGivenAgain_revokesTheSessions() throws Exception {
        open();
        security.enrollTotp("alice");
        byte[] secret = Base64.getDecoder().decode(security.vault().get("totp/alice").orElseThrow().reveal());
        long step = Totp.step(clock.instant());
        String code = Totp.code(secret, Totp.Algorithm.SHA1, 6, step);
        String wrong = Totp.code(secret, Totp.Algorithm.SHA1, 6, step + 5);
        secrets.addAll(List.of(code, wrong));
        assertThatThrownBy(() -> security.login(new Credentials.Password("alice", Secret.of(PASSWORD), wrong),
                "10.0.0.1", null)).isInstanceOf(AuthenticationException.class);
        silent(ThreatRule.TOTP_REPLAY); // a wrong code is no replay
        clock.advance(Duration.ofSeconds(2));
        Security.Session session = security.login(new Credentials.Password("alice", Secret.of(PASSWORD), code),
                "10.0.0.1", null);
        secrets.add(session.token().reveal());
        assertThat(security.authenticate(new Credentials.BearerToken(session.token())).id()).isEqualTo("alice");
        assertThatThrownBy(() -> security.login(new Credentials.Password("alice", Secret.of(PASSWORD), code),
                "10.6.6.6", null)).hasMessageContaining("used already");
        CloudEvent event = hitOnce(ThreatRule.TOTP_REPLAY, ThreatRule.Severity.HIGH);
        assertThat(event.data()).containsEntry("account", "alice").containsEntry("source", "10.6.6.6")
                .containsEntry("responses", "sessions revoked");
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(session.token()))).isInstanceOf(
                AuthenticationException.class);
    }

    @Test
    void aRevokedOrExpiredKeyUsed_isReported_andItsSourceBlocked() throws Exception {
        open(rule(ThreatRule.KEY_REVOKED_USED, r -> r.withResponses(Set.of(Response.BLOCK_SOURCE), Duration
                .ofMinutes(10))));
        Security.IssuedApiKey revoked = security.createApiKey("ci-bot", Set.of(), null);
        Security.IssuedApiKey expiring = security.createApiKey("ci-bot", Set.of(), Duration.ofMinutes(5));
        secrets.addAll(List.of(revoked.key().reveal(), expiring.key().reveal()));
        security.authenticate(new Credentials.ApiKey(revoked.key()), "10.1.1.1");
        assertThatThrownBy(() -> security.authenticate(new Credentials.ApiKey(Secret.of("code_" + revoked.id()
                + "_notTheSecret")), "10.1.1.1")).isInstanceOf(AuthenticationException.class);
        silent(ThreatRule.KEY_REVOKED_USED); // a wrong key is a failed login, not a dead key
        security.revokeApiKey(revoked.id());
        assertThatThrownBy(() -> security.authenticate(new Credentials.ApiKey(revoked.key()), "10.1.1.1"))
                .isInstanceOf(AuthenticationException.class);
        CloudEvent event = hitOnce(ThreatRule.KEY_REVOKED_USED, ThreatRule.Severity.MEDIUM);
        assertThat(event.data()).containsEntry("keyId", revoked.id()).containsEntry("state", "revoked")
                .containsEntry("owner", "ci-bot");
        assertThatThrownBy(() -> security.authenticate(new Credentials.ApiKey(expiring.key()), "10.1.1.1"))
                .as("the source is blocked").isInstanceOf(RateLimitedException.class);
        clock.advance(Duration.ofMinutes(6));
        assertThatThrownBy(() -> security.authenticate(new Credentials.ApiKey(expiring.key()), "10.1.1.2"))
                .hasMessageContaining("expired");
        assertThat(threats(ThreatRule.KEY_REVOKED_USED)).extracting(e -> e.data().get("state")).containsExactly(
                "revoked", "expired");
    }

    @Test
    void aJwtWithAForbiddenHeader_isReported_andItsSourceBlocked() throws Exception {
        open();
        String token = security.issueToken(new Principal("alice", Principal.Kind.USER, Set.of()), Duration.ofMinutes(
                5)).reveal();
        secrets.add(token);
        String[] parts = token.split("\\.");
        clock.advance(Duration.ofMinutes(6));
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(Secret.of(token)), "10.2.2.2"))
                .hasMessageContaining("expired");
        silent(ThreatRule.JWT_FORBIDDEN_HEADER); // an expired token is no attack
        String none = b64("{\"alg\":\"none\",\"typ\":\"at+jwt\"}") + "." + parts[1] + ".";
        String jku = b64("{\"alg\":\"ES256\",\"kid\":\"k1\",\"typ\":\"at+jwt\",\"jku\":\"https://evil.example/k\"}")
                + "." + parts[1] + "." + parts[2];
        secrets.addAll(List.of(none, jku, parts[1]));
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(Secret.of(none)), "10.2.2.2"))
                .hasMessageContaining("alg none");
        CloudEvent event = hitOnce(ThreatRule.JWT_FORBIDDEN_HEADER, ThreatRule.Severity.HIGH);
        assertThat(event.data()).containsEntry("source", "10.2.2.2");
        assertThat(event.data().get("reason")).contains("alg none");
        assertThat(event.data().get("responses")).startsWith("source blocked until");
        String fresh = security.issueToken(new Principal("alice", Principal.Kind.USER, Set.of()), Duration.ofMinutes(
                5)).reveal();
        secrets.add(fresh);
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(Secret.of(fresh)), "10.2.2.2"))
                .isInstanceOf(RateLimitedException.class);
        assertThat(security.authenticate(new Credentials.BearerToken(Secret.of(fresh)), "10.2.2.3").id()).isEqualTo(
                "alice");
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(Secret.of(jku)), "10.2.2.3"))
                .hasMessageContaining("carries 'jku'");
        assertThat(threats(ThreatRule.JWT_FORBIDDEN_HEADER)).hasSize(2);
        assertNoSecretLeaked();
    }

    @Test
    void jwtsWithBadSignatures_inABurst_areReported() throws Exception {
        open(rule(ThreatRule.JWT_BAD_SIGNATURE, r -> r.withResponses(Set.of(Response.BLOCK_SOURCE), Duration
                .ofMinutes(10))));
        String token = security.issueToken(new Principal("alice", Principal.Kind.USER, Set.of()), Duration.ofMinutes(
                5)).reveal();
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + b64(new String(Base64.getUrlDecoder().decode(parts[1]),
                StandardCharsets.UTF_8).replace("alice", "admin")) + "." + parts[2];
        secrets.addAll(List.of(token, forged, parts[2]));
        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(Secret.of(forged)),
                    "10.3.3.3")).hasMessageContaining("signature does not verify");
        }
        silent(ThreatRule.JWT_BAD_SIGNATURE);
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(Secret.of(forged)), "10.3.3.3"))
                .isInstanceOf(AuthenticationException.class);
        CloudEvent event = hitOnce(ThreatRule.JWT_BAD_SIGNATURE, ThreatRule.Severity.MEDIUM);
        assertThat(event.data()).containsEntry("count", "5").containsEntry("source", "10.3.3.3");
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(Secret.of(token)), "10.3.3.3"))
                .isInstanceOf(RateLimitedException.class);
    }

    @Test
    void permissionDenials_inABurst_revokeTheSessions() throws Exception {
        open(rule(ThreatRule.PERMISSION_DENIALS, r -> r.withResponses(Set.of(Response.REVOKE_SESSIONS), Duration
                .ofMinutes(15))));
        Security.Session session = login(security, "10.4.4.4");
        secrets.add(session.token().reveal());
        Principal alice = security.authenticate(new Credentials.BearerToken(session.token()));
        for (int i = 0; i < 9; i++) {
            assertThatThrownBy(() -> security.require(alice, Permission.parse("deploy:run:prod"))).isInstanceOf(
                    PolicyDeniedException.class);
        }
        silent(ThreatRule.PERMISSION_DENIALS);
        clock.advance(Duration.ofSeconds(61));
        assertThatThrownBy(() -> security.require(alice, Permission.parse("deploy:run:prod"))).isInstanceOf(
                PolicyDeniedException.class);
        silent(ThreatRule.PERMISSION_DENIALS); // the nine before left the one-minute window
        for (int i = 0; i < 9; i++) {
            assertThatThrownBy(() -> security.require(alice, Permission.parse("deploy:run:prod"))).isInstanceOf(
                    PolicyDeniedException.class);
        }
        CloudEvent event = hitOnce(ThreatRule.PERMISSION_DENIALS, ThreatRule.Severity.MEDIUM);
        assertThat(event.data()).containsEntry("principal", "alice").containsEntry("permission", "deploy:run:prod")
                .containsEntry("responses", "sessions revoked");
        assertThatThrownBy(() -> security.authenticate(new Credentials.BearerToken(session.token()))).isInstanceOf(
                AuthenticationException.class);
    }

    @Test
    void rateLimitFloods_lockTheAccount() throws Exception {
        open(rule(ThreatRule.RATE_LIMIT_FLOOD, r -> r.withThreshold(3).withResponses(Set.of(Response.LOCK_ACCOUNT),
                Duration.ofMinutes(5))));
        security.defineRole("ops", Set.of(Permission.parse("deploy:*:*")), Set.of());
        Principal alice = new Principal("alice", Principal.Kind.USER, Set.of("ops"));
        security.limit(Permission.parse("deploy:run:*"), 1, 1);
        security.require(alice, Permission.parse("deploy:run:prod"));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> security.require(alice, Permission.parse("deploy:run:prod"))).isInstanceOf(
                    RateLimitedException.class);
        }
        silent(ThreatRule.RATE_LIMIT_FLOOD);
        assertThatThrownBy(() -> security.require(alice, Permission.parse("deploy:run:prod"))).isInstanceOf(
                RateLimitedException.class);
        CloudEvent event = hitOnce(ThreatRule.RATE_LIMIT_FLOOD, ThreatRule.Severity.LOW);
        assertThat(event.data()).containsEntry("principal", "alice");
        assertThatThrownBy(() -> login(security, "10.5.5.5")).isInstanceOf(RateLimitedException.class);
        clock.advance(Duration.ofMinutes(6));
        assertThat(login(security, "10.5.5.5").principal().id()).isEqualTo("alice");
    }

    @Test
    void aLockedAccount_hasItsSessionsKeysAndTokensRefusedAtUse_andAudited_untilTheLockEnds() throws Exception {
        open(rule(ThreatRule.RATE_LIMIT_FLOOD, r -> r.withThreshold(3).withResponses(Set.of(Response.LOCK_ACCOUNT),
                Duration.ofMinutes(5))));
        security.defineRole("ops", Set.of(Permission.parse("deploy:*:*")), Set.of());
        Security.Session session = login(security, "10.6.6.6");
        Security.IssuedApiKey aliceKey = security.createApiKey("alice", Set.of("ops"), null);
        Security.IssuedApiKey botKey = security.createApiKey("ci-bot", Set.of(), null);
        Secret token = security.issueToken(new Principal("alice", Principal.Kind.USER, Set.of("ops")), Duration
                .ofHours(1));
        secrets.addAll(List.of(session.token().reveal(), aliceKey.key().reveal(), botKey.key().reveal(), token
                .reveal()));
        Principal alice = new Principal("alice", Principal.Kind.USER, Set.of("ops"));
        security.limit(Permission.parse("deploy:run:*"), 1, 1);
        security.require(alice, Permission.parse("deploy:run:prod"));
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> security.require(alice, Permission.parse("deploy:run:prod"))).isInstanceOf(
                    RateLimitedException.class);
        }
        assertThat(hitOnce(ThreatRule.RATE_LIMIT_FLOOD, ThreatRule.Severity.LOW).data().get("responses")).startsWith(
                "account locked until");

        long before = security.audit(1, 10_000).size();
        for (Security on : List.of(security, engine().security())) { // the lock is in the store
            assertThatThrownBy(() -> on.authenticate(new Credentials.BearerToken(session.token()))).as("session")
                    .isInstanceOf(RateLimitedException.class).hasMessageContaining("try again in");
            assertThatThrownBy(() -> on.authenticate(new Credentials.ApiKey(aliceKey.key()))).as("API key")
                    .isInstanceOf(RateLimitedException.class);
            assertThatThrownBy(() -> on.authenticate(new Credentials.BearerToken(token))).as("JWT").isInstanceOf(
                    RateLimitedException.class);
            assertThat(on.authenticate(new Credentials.ApiKey(botKey.key())).id()).as("another owner's key")
                    .isEqualTo("ci-bot");
        }
        List<AuditEntry> refusals = security.audit(1, 10_000).stream().skip(before).filter(e -> e
                .outcome() == AuditEntry.Outcome.DENIED).toList();
        assertThat(refusals).extracting(AuditEntry::action).containsExactly("auth:session", "auth:api-key",
                "auth:token", "auth:session", "auth:api-key", "auth:token");
        assertThat(refusals).allSatisfy(e -> {
            assertThat(e.principalId()).isEqualTo("alice");
            assertThat(e.target()).isEqualTo("account:alice");
            assertThat(e.detail()).startsWith("locked");
        });
        assertThat(listened).anyMatch(e -> e.kind().equals("session") && e.outcome() == AuditEntry.Outcome.DENIED);
        assertNoSecretLeaked();

        clock.advance(Duration.ofMinutes(6)); // the lock ended; the session had not idled out
        assertThat(security.authenticate(new Credentials.BearerToken(session.token())).id()).isEqualTo("alice");
        assertThat(security.authenticate(new Credentials.ApiKey(aliceKey.key())).id()).isEqualTo("alice");
        assertThat(security.authenticate(new Credentials.BearerToken(token)).id()).isEqualTo("alice");
    }

    @Test
    void anAuditChainThatFailsVerification_isReportedAsCritical() throws Exception {
        open();
        assertThat(security.verifyAudit().intact()).isTrue();
        silent(ThreatRule.AUDIT_CHAIN_BROKEN);
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("code-db").toAbsolutePath());
                Statement s = c.createStatement()) {
            s.executeUpdate("update code_audit set detail = 'roles [admin]' where seq = 1");
        }
        assertThat(security.verifyAudit().intact()).isFalse();
        CloudEvent event = hitOnce(ThreatRule.AUDIT_CHAIN_BROKEN, ThreatRule.Severity.CRITICAL);
        assertThat(event.data()).containsEntry("firstBroken", "1").containsKey("reason");
    }

    @Test
    void theDefaults_areOneRulePerId_andTheEngineReportsTheRulesInForce() throws Exception {
        open(rule(ThreatRule.RATE_LIMIT_FLOOD, r -> r.withThreshold(7)));
        assertThat(ThreatRule.defaults()).extracting(ThreatRule::id).containsExactlyElementsOf(ThreatRule.IDS);
        assertThat(security.threatRules()).extracting(ThreatRule::id).containsExactlyElementsOf(ThreatRule.IDS);
        assertThat(security.threatRules()).filteredOn(r -> r.id().equals(ThreatRule.RATE_LIMIT_FLOOD)).extracting(
                ThreatRule::threshold).containsExactly(7);
        assertThatThrownBy(() -> new ThreatRule("login-burst", 3, Duration.ofMinutes(1), ThreatRule.Severity.LOW, Set
                .of(), Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(
                        "id must be one of");
        assertThatThrownBy(() -> rule(ThreatRule.TOTP_REPLAY, r -> r.withThreshold(0))).hasMessageContaining(
                "threshold of rule totp-replay must be 1 to 1000");
    }

    @Test
    void onPostgres_failedLoginsForOneAccount_lockIt_forEveryEngineOnTheStore() throws Exception {
        Pg.requireServer();
        try (Pg pg = new Pg()) {
            open(Pg.config(pg.newSchema()), rule(ThreatRule.LOGIN_BURST_ACCOUNT, r -> r.withThreshold(2)));
            wrongLogin("alice", "10.7.7.7");
            silent(ThreatRule.LOGIN_BURST_ACCOUNT);
            wrongLogin("alice", "10.7.7.8");
            hitOnce(ThreatRule.LOGIN_BURST_ACCOUNT, ThreatRule.Severity.HIGH);
            clock.advance(Duration.ofMinutes(5));
            assertThatThrownBy(() -> login(engine().security(), "10.7.7.9")).isInstanceOf(
                    RateLimitedException.class);
            close();
            engines.clear();
        }
    }

    static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
