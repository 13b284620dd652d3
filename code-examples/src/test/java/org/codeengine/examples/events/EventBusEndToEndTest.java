package org.codeengine.examples.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.codeengine.api.CallContext;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.events.EventBus;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.HealthCheckSpec;
import org.codeengine.api.orchestrator.RunHandle;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.security.Principal;
import org.codeengine.api.spi.EventBusProvider;
import org.codeengine.api.spi.EventTransport;
import org.codeengine.core.CodeEngine;
import org.codeengine.plugin.testkit.CrashHosts;
import org.codeengine.plugin.testkit.EventTransportContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * CODE's events end to end, on the local PostgreSQL and each real broker: engines on one store see each other's runs,
 * a relay process SIGKILLed again and again loses nothing, and a consumer process killed while it holds messages
 * leaves them to another member of its group.
 */
@SuppressWarnings("try") // subscriptions are held open by try-with-resources
class EventBusEndToEndTest {
    static final CallContext CTX = new CallContext(new Principal("tester", Principal.Kind.USER, Set.of("admin")), null,
            "t");
    static final String PG_URL = System.getenv().getOrDefault("CODE_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/test");
    static final String PG_USER = System.getenv().getOrDefault("CODE_TEST_PG_USER", "postgres");
    static final Duration WAIT = Duration.ofSeconds(60);
    static final int KILLS = 10;
    static final int STANDBYS = 2;

    /** The brokers, each with settings on a stream of the test's own and a 1 s redelivery delay. */
    enum Bus {
        REDIS("redis", "redis://127.0.0.1:6379") {
            @Override
            Map<String, String> settings(String name) {
                return Map.of("url", url, "stream", "code-e2e-" + name, "claimAfter", "1s", "block", "200ms");
            }
        },
        NATS("nats", "nats://127.0.0.1:4222") {
            @Override
            Map<String, String> settings(String name) {
                return Map.of("url", url, "stream", "CODE_E2E_" + name, "subject", "code.e2e." + name, "ackWait",
                        "1s", "fetchWait", "200ms");
            }
        };

        final String plugin;
        final String url;

        Bus(String plugin, String url) {
            this.plugin = plugin;
            this.url = url;
        }

        abstract Map<String, String> settings(String name);
    }

    final String name = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    final String schema = "code_e2e_" + name;
    final List<CodeEngine> engines = new ArrayList<>();
    final List<Process> hosts = new ArrayList<>();

    @BeforeAll
    static void requirePostgres() {
        EventTransportContract.requireServer(PG_URL.replace("jdbc:postgresql", "postgresql"), "PostgreSQL");
    }

    @AfterEach
    void tearDown() throws SQLException {
        hosts.forEach(Process::destroyForcibly);
        engines.forEach(CodeEngine::close);
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, null); Statement s = c.createStatement()) {
            s.execute("drop schema if exists \"" + schema + "\" cascade");
        }
    }

    CodeEngine engine(Bus bus, boolean relay) {
        EventTransportContract.requireServer(bus.url, bus.plugin);
        CodeEngine engine = CodeEngine.builder().store(StoreConfig.jdbc(PG_URL).withCredentials(PG_USER, null)
                .withSchema(schema)).adoptOrphanedRuns(false).plugin(EventBusProvider.class, bus.plugin).eventBus(bus
                        .settings(name))
                .relay(relay, Duration.ofSeconds(1), Duration.ofMillis(20)).build();
        engines.add(engine);
        return engine;
    }

    @ParameterizedTest
    @EnumSource(Bus.class)
    void engineA_deploys_andEngineBsSubscriber_seesEveryEventOfTheRunInOrder(Bus bus) {
        CodeEngine a = engine(bus, true);
        CodeEngine b = engine(bus, true);
        List<CloudEvent> seen = Collections.synchronizedList(new ArrayList<>());
        try (EventBus.Subscription s = b.events().subscribe(CTX, "org.codeengine.deployment.*", seen::add)) {
            HealthCheckSpec ok = HealthCheckSpec.of("command", Map.of("command", "true"));
            RunHandle run = a.orchestrator().deploy(CTX, DeploymentSpec.of("shop", "dev", List.of(ServiceSpec.builder(
                    "db", "process").setting("command", "sleep 3").healthCheck(ok).build(), ServiceSpec
                            .builder(
                                    "api", "process")
                            .setting("command", "sleep 3").dependsOn("db").healthCheck(ok)
                            .build())));
            assertThat(run.await(WAIT)).isEqualTo(RunState.SUCCEEDED);
            List<String> written = a.events().history(CTX, null, "org.codeengine.deployment.*", 1000).stream()
                    .filter(e -> e.subject().equals(run.runId())).map(CloudEvent::id).toList();
            assertThat(written).hasSizeGreaterThanOrEqualTo(8);
            await("engine B saw every event of the run", () -> distinctIds(seen).containsAll(written));
            assertThat(new ArrayList<>(distinctIds(seen))).containsExactlyElementsOf(written);
            assertThat(seen.getLast().type()).isEqualTo(CloudEvent.DEPLOYMENT_FINISHED);
        }
    }

    @ParameterizedTest
    @EnumSource(Bus.class)
    void theRelayProcess_SIGKILLedMidStream10Times_stillDeliversEveryEventAtLeastOnce(Bus bus) throws Exception {
        CodeEngine writer = engine(bus, false);
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicInteger deliveries = new AtomicInteger();
        try (EventBus.Subscription s = writer.events().join(CTX, "e2e", "c1", "*", e -> {
            received.add(e.id());
            deliveries.incrementAndGet();
        })) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger written = new AtomicInteger();
            Thread load = Thread.ofVirtual().start(() -> {
                while (writing.get()) {
                    writer.events().publish(CTX, new CloudEvent(UUID.randomUUID().toString(), "/code/e2e",
                            CloudEvent.PREFIX + "test.tick", "load", Instant.now(), Map.of("n", Integer.toString(
                                    written.incrementAndGet()))));
                }
            });
            // standby relays start ahead and wait for the lease, so that after a kill one takes over once the
            // lease lapses (1 s) rather than after a JVM's start
            List<String> relayArgs = List.of("relay", PG_URL, PG_USER, schema, bus.plugin);
            List<Host> relays = new ArrayList<>();
            for (int i = 0; i < STANDBYS + 1; i++) {
                relays.add(startHost(relayArgs, bus.settings(name)));
            }
            int killedWithBacklog = 0;
            for (int kill = 1; kill <= KILLS; kill++) {
                // a live relay holds the lease (after a kill, the next takes it once it lapses) and delivers
                await("a live relay holds the lease before kill " + kill, () -> relays.stream().anyMatch(h -> h
                        .process().pid() == relayLeaseHolderPid()));
                long pid = relayLeaseHolderPid();
                int before = deliveries.get();
                await("relay " + pid + " delivers", () -> deliveries.get() >= before + 20);
                Host holder = relays.stream().filter(h -> h.process().pid() == pid).findFirst().orElseThrow();
                if (unsent() > 0) {
                    killedWithBacklog++;
                }
                holder.process().destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, the lease lapses by itself
                relays.remove(holder);
                relays.add(startHost(relayArgs, bus.settings(name)));
            }
            writing.set(false);
            load.join();
            await("the outbox drained by the relays left", () -> unsent() == 0);
            List<String> outbox = outboxIds();
            assertThat(outbox).hasSize(written.get());
            await("the consumer got every event of the outbox", () -> received.containsAll(outbox));
            assertThat(received).containsExactlyInAnyOrderElementsOf(outbox);
            System.out.printf("%s: %d events, %d deliveries (%d repeated), %d of %d kills with events unsent%n", bus,
                    outbox.size(), deliveries.get(), deliveries.get() - received.size(), killedWithBacklog, KILLS);
        }
    }

    @ParameterizedTest
    @EnumSource(Bus.class)
    void aConsumerProcessKilledWithEventsPending_leavesThemToAnotherMemberOfItsGroup(Bus bus) throws Exception {
        EventTransportContract.requireServer(bus.url, bus.plugin);
        try (EventTransport transport = BusHost.provider(bus.plugin).open(bus.settings(name))) {
            transport.consume("workers", "warmup", true, m -> {
            }).close(); // the group exists before anything is sent
            Host doomed = startHost(List.of("consume", bus.plugin, "workers", "doomed"), bus.settings(name));
            doomed.awaitLine("ready");
            List<EventTransport.Message> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String id = UUID.randomUUID().toString();
                sent.add(new EventTransport.Message(id, "org.codeengine.test.work", "{\"id\":\"" + id + "\"}"));
            }
            transport.publish(sent);
            doomed.awaitLine("took ");
            doomed.process().destroyForcibly().waitFor();
            Set<String> rescued = ConcurrentHashMap.newKeySet();
            try (EventTransport.Consumer survivor = transport.consume("workers", "survivor", true, m -> rescued.add(m
                    .id()))) {
                await("the survivor got every message, the killed one's included", () -> rescued.containsAll(sent
                        .stream().map(EventTransport.Message::id).toList()));
            }
            assertThat(doomed.lines()).anySatisfy(l -> assertThat(l).startsWith("took "));
        }
    }

    // ---------------------------------------------------------------- helpers

    record Host(Process process, BlockingQueue<String> out, List<String> lines) {
        void awaitLine(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                String line = out.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return;
                }
                assertThat(process.isAlive() || !out.isEmpty()).as("host %s is alive; it said %s", process.pid(),
                        lines).isTrue();
            }
            throw new AssertionError("host " + process.pid() + " never said '" + prefix + "'; it said " + lines);
        }
    }

    Host startHost(List<String> args, Map<String, String> settings) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", CrashHosts.testClassPath(),
                BusHost.class.getName()));
        command.addAll(args);
        settings.forEach((k, v) -> command.add(k + "=" + v));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        hosts.add(process);
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    out.add(line);
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the host was killed
            }
        });
        return new Host(process, out, lines);
    }

    long unsent() {
        return query("select count(*) from code_outbox", rows -> {
            rows.next();
            return rows.getLong(1);
        });
    }

    /** {@return the process id in the name of the relay lease's holder ({@code <pid>@<host>/...}), -1 if none} */
    long relayLeaseHolderPid() {
        return query("select owner, expires_at from code_lease where name = 'code-outbox-relay'", rows -> {
            if (!rows.next() || rows.getObject(2, java.time.OffsetDateTime.class).toInstant().isBefore(Instant
                    .now())) {
                return -1L; // nobody holds it now
            }
            String owner = rows.getString(1);
            return Long.parseLong(owner.substring(0, owner.indexOf('@')));
        });
    }

    /** {@return the id of every event written: those published (the history), then those waiting in the outbox} */
    List<String> outboxIds() {
        return query("select event_id from (select 0 as part, pos as n, event_id from code_event union all"
                + " select 1, seq, event_id from code_outbox) e order by part, n", rows -> {
                    List<String> ids = new ArrayList<>();
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                    return ids;
                });
    }

    interface Rows<T> {
        T read(ResultSet rows) throws SQLException;
    }

    <T> T query(String sql, Rows<T> rows) {
        try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, null); Statement s = c.createStatement()) {
            s.execute("set search_path to \"" + schema + "\"");
            try (ResultSet r = s.executeQuery(sql)) {
                return rows.read(r);
            }
        } catch (SQLException e) {
            throw new AssertionError("reading the outbox failed: " + e.getMessage(), e);
        }
    }

    static Set<String> distinctIds(List<CloudEvent> events) {
        synchronized (events) {
            Set<String> ids = new LinkedHashSet<>();
            events.forEach(e -> ids.add(e.id()));
            return ids;
        }
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline < 0).as("waited %s for: %s", WAIT, what).isTrue();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }
}
