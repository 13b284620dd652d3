package org.codeengine.core.internal.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.codeengine.api.AuthenticationException;
import org.codeengine.api.CallContext;
import org.codeengine.api.NotFoundException;
import org.codeengine.api.PolicyDeniedException;
import org.codeengine.api.Secret;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.StoreException;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.events.EventBus;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.security.Credentials;
import org.codeengine.api.security.Permission;
import org.codeengine.api.security.Principal;
import org.codeengine.core.CodeEngine;
import org.codeengine.core.internal.events.CloudEventJson;
import org.codeengine.core.internal.store.JdbcStore;
import org.codeengine.plugin.h2.H2StoreProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Events through the outbox on both stores: written with the change they report, relayed in order by the one relay
 * holding the lease, and free of secrets.
 */
@SuppressWarnings("try") // subscriptions are held open by try-with-resources
class OutboxEventsTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "t");
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    final List<CodeEngine> engines = new ArrayList<>();
    final List<JdbcStore> stores = new ArrayList<>();
    Pg pg;

    @AfterEach
    void close() throws Exception {
        stores.forEach(JdbcStore::close);
        engines.forEach(CodeEngine::close);
        if (pg != null) {
            pg.close();
        }
    }

    CodeEngine engine(StoreConfig store, boolean relay) {
        CodeEngine engine = CodeEngine.builder().store(store).adoptOrphanedRuns(false).relay(relay, Duration
                .ofSeconds(2), Duration.ofMillis(20)).build();
        engines.add(engine);
        return engine;
    }

    StoreConfig h2() {
        return StoreConfig.h2File(dir.resolve("db/code-db"));
    }

    StoreConfig postgres() {
        Pg.requireServer();
        pg = new Pg();
        return Pg.config(pg.newSchema());
    }

    static DeploymentSpec twoSteps() {
        HealthCheckSpec ok = HealthCheckSpec.of("command", Map.of("command", "true"));
        return DeploymentSpec.of("shop", "dev", List.of(ServiceSpec.builder("db", "process").setting("command",
                "sleep 3").healthCheck(ok).build(), ServiceSpec.builder("api", "process")
                        .setting("command",
                                "sleep 3")
                        .dependsOn("db").healthCheck(ok).build()));
    }

    @Test
    void deploy_onH2_everyEventOfTheRunReachesASubscriberInOutboxOrder() {
        deploy_everyEventOfTheRunReachesASubscriberInOutboxOrder(h2());
    }

    @Test
    void deploy_onPostgres_everyEventOfTheRunReachesASubscriberInOutboxOrder() {
        deploy_everyEventOfTheRunReachesASubscriberInOutboxOrder(postgres());
    }

    void deploy_everyEventOfTheRunReachesASubscriberInOutboxOrder(StoreConfig store) {
        CodeEngine engine = engine(store, true);
        List<CloudEvent> seen = Collections.synchronizedList(new ArrayList<>());
        try (EventBus.Subscription s = engine.events().subscribe(CTX, "org.codeengine.deployment.*", seen::add)) {
            RunHandle run = engine.orchestrator().deploy(CTX, twoSteps());
            assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
            List<CloudEvent> outbox = engine.events().history(CTX, null, "org.codeengine.deployment.*", 1000).stream()
                    .filter(e -> e.subject().equals(run.runId())).toList();
            await("the subscriber saw every event of the run", () -> seen.size() >= outbox.size());
            assertThat(seen).extracting(CloudEvent::id).containsExactlyElementsOf(outbox.stream().map(
                    CloudEvent::id).toList());
            assertThat(seen.getFirst().type()).isEqualTo(CloudEvent.DEPLOYMENT_STARTED);
            assertThat(seen.getLast().type()).isEqualTo(CloudEvent.DEPLOYMENT_FINISHED);
            assertThat(seen.getLast().data()).containsEntry("state", "SUCCEEDED");
            assertThat(seen).extracting(CloudEvent::type).contains(CloudEvent.STEP_STATE_CHANGED,
                    CloudEvent.STEP_HEALTH_CHANGED);
            assertThat(seen).allSatisfy(e -> {
                assertThat(e.subject()).isEqualTo(run.runId());
                assertThat(CloudEventJson.read(CloudEventJson.write(e))).isEqualTo(e);
            });
        }
    }

    @Test
    void aStateChangeAndItsEvent_commitTogether_orNeither() {
        CodeEngine engine = engine(h2(), false);
        RunHandle run = engine.orchestrator().deploy(CTX, twoSteps());
        assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        JdbcStore beside = storeBeside();
        var journal = new JdbcRunJournal(beside.runs(), beside.outbox(), Duration.ZERO);
        // an event the outbox refuses (a check added here for the test) makes the outbox insert fail: the run's move
        // is rolled back with it
        sql("alter table code_outbox add constraint no_poison check (event_id <> 'poison')");
        CloudEvent poison = new CloudEvent("poison", "/code/test", CloudEvent.DEPLOYMENT_FINISHED, run.runId(), Instant
                .now(), Map.of("state", "SUPERSEDED"));
        assertThatThrownBy(() -> journal.transition(run.runId(), RunState.SUCCEEDED, RunState.SUPERSEDED, Instant
                .now(), null, List.of(poison))).isInstanceOf(StoreException.class);
        assertThat(journal.find(run.runId()).orElseThrow().state()).isEqualTo(RunState.SUCCEEDED);
        CloudEvent fresh = new CloudEvent(UUID.randomUUID().toString(), "/code/test", CloudEvent.DEPLOYMENT_FINISHED,
                run.runId(), Instant.now(), Map.of("state", "SUPERSEDED"));
        assertThat(journal.transition(run.runId(), RunState.SUCCEEDED, RunState.SUPERSEDED, Instant.now(), null,
                List.of(fresh))).isTrue();
        assertThat(engine.events().history(CTX, null, "*", 1).getFirst().id()).isEqualTo(fresh.id());
        // a move that does not happen writes no event
        CloudEvent never = new CloudEvent(UUID.randomUUID().toString(), "/code/test", CloudEvent.DEPLOYMENT_FINISHED,
                run.runId(), Instant.now(), Map.of());
        assertThat(journal.transition(run.runId(), RunState.SUCCEEDED, RunState.FAILED, Instant.now(), null, List.of(
                never))).isFalse();
        assertThat(engine.events().history(CTX, null, "*", 1000)).extracting(CloudEvent::id).doesNotContain(never
                .id());
        journal.close();
    }

    @Test
    void history_goingOnFromAnEvent_pagesPastOtherTypes_andAnUnknownPlaceIsReported() {
        CodeEngine engine = engine(h2(), false);
        assertThat(engine.orchestrator().deploy(CTX, twoSteps()).await(WAIT)).isEqualTo(RunState.SUCCEEDED);
        List<String> all = engine.events().history(CTX, null, "*", 10_000).stream().map(CloudEvent::id).toList();
        String healthChanges = CloudEvent.STEP_HEALTH_CHANGED;
        List<String> runEvents = engine.events().history(CTX, null, healthChanges, 10_000).stream().map(CloudEvent::id)
                .toList();
        assertThat(runEvents).hasSizeGreaterThanOrEqualTo(2);
        assertThat(all.indexOf(runEvents.getLast()) - all.indexOf(runEvents.getFirst())).as("other events between")
                .isGreaterThan(runEvents.size() - 1);
        // one event at a time: the next of the type, though other types come first; empty only at the end
        List<String> oneByOne = new ArrayList<>(List.of(runEvents.getFirst()));
        for (int read = 0; read < all.size(); read++) { // bounded: a reader that never reaches the end fails below
            List<CloudEvent> next = engine.events().history(CTX, oneByOne.getLast(), healthChanges, 1);
            if (next.isEmpty()) {
                break;
            }
            oneByOne.add(next.getFirst().id());
        }
        assertThat(oneByOne).isEqualTo(runEvents);
        assertThatThrownBy(() -> engine.events().history(CTX, "no-such-event", "*", 10)).isInstanceOf(
                NotFoundException.class).hasMessageContaining("afterId");
    }

    @Test
    void noSecretAppearsInAnyEvent_andAFailedLoginIsReportedWithoutThePassword() throws Exception {
        CodeEngine engine = engine(h2(), false);
        String password = "Correct-Horse-" + UUID.randomUUID();
        String wrong = "Wrong-Battery-" + UUID.randomUUID();
        engine.security().addUser("alice", Secret.of(password), Set.of("admin"));
        assertThatThrownBy(() -> engine.security().authenticate(new Credentials.Password("alice", Secret.of(wrong),
                null))).isInstanceOf(AuthenticationException.class);
        engine.security().defineRole("viewer", Set.of(Permission.parse("deploy:read:*")), Set.of());
        var key = engine.security().createApiKey("ci-bot", Set.of("viewer"), null);
        engine.security().revokeApiKey(key.id());
        assertThatThrownBy(() -> engine.security().authenticate(new Credentials.ApiKey(key.key()))).isInstanceOf(
                AuthenticationException.class);
        Principal bob = new Principal("bob", Principal.Kind.USER, Set.of());
        assertThatThrownBy(() -> engine.events().history(new CallContext(bob, null, "t"), null, "*", 10))
                .isInstanceOf(PolicyDeniedException.class);
        engine.orchestrator().deploy(CTX, twoSteps()).await(WAIT);

        List<CloudEvent> all = engine.events().history(CTX, null, "*", 10_000);
        assertThat(all).extracting(CloudEvent::type).contains(CloudEvent.LOGIN_FAILED, CloudEvent.ACCESS_DENIED,
                CloudEvent.DEPLOYMENT_STARTED);
        assertThat(all.stream().filter(e -> e.type().equals(CloudEvent.LOGIN_FAILED))).anySatisfy(e -> assertThat(e
                .subject()).isEqualTo("alice"));
        List<String> bodies = rawOutbox();
        assertThat(bodies).isNotEmpty().noneMatch(b -> b.contains(password) || b.contains(wrong) || b.contains(key
                .key().reveal()));
    }

    @Test
    void twoEnginesOnOneStore_onlyTheLeaseHolderRelays_andTheOtherTakesOverWhenItStops() {
        StoreConfig store = postgres();
        CodeEngine a = engine(store, true);
        CodeEngine b = engine(store, true);
        await("one relay holds the lease", () -> a.relaying() || b.relaying());
        for (int i = 0; i < 20; i++) {
            assertThat(a.relaying() && b.relaying()).as("both relay").isFalse();
        }
        CodeEngine leader = a.relaying() ? a : b;
        CodeEngine other = leader == a ? b : a;
        List<CloudEvent> seen = Collections.synchronizedList(new ArrayList<>());
        try (EventBus.Subscription s = other.events().subscribe(CTX, "*", seen::add)) {
            leader.close();
            CloudEvent event = new CloudEvent(UUID.randomUUID().toString(), "/code/test", CloudEvent.PREFIX
                    + "test.ping", "t", Instant.now(), Map.of());
            other.events().publish(CTX, event);
            await("the other engine relays", () -> other.relaying() && seen.stream().anyMatch(e -> e.id().equals(
                    event.id())));
        }
    }

    /** A second view of the engine's H2 store, in this JVM, for writes under the engine's faces. */
    JdbcStore storeBeside() {
        JdbcStore store = JdbcStore.open(h2(), new H2StoreProvider(), Clock.systemUTC(), null, List.of(
                JdbcStore.MIGRATIONS));
        stores.add(store);
        return store;
    }

    /** Runs a statement on the engine's H2 store. */
    void sql(String statement) {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("db/code-db"));
                Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** {@return the body of every event in the store: those waiting in the outbox and those published} */
    List<String> rawOutbox() throws Exception {
        List<String> bodies = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir
                .resolve("db/code-db"));
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("select body from code_outbox union all select body from code_event")) {
            while (rows.next()) {
                bodies.add(rows.getString(1));
            }
        }
        return bodies;
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() < deadline).as(what).isTrue();
            Thread.onSpinWait();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
