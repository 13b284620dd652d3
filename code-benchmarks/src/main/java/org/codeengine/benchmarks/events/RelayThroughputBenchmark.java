package org.codeengine.benchmarks.events;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.StoreConfig;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.spi.EventBusProvider;
import org.codeengine.api.spi.EventTransport;
import org.codeengine.core.internal.events.OutboxRelay;
import org.codeengine.core.internal.store.JdbcStore;
import org.codeengine.plugin.h2.H2StoreProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Events per second from the outbox to a real broker ({@code redis} on 127.0.0.1:6379, {@code nats} with JetStream on
 * 127.0.0.1:4222), a batch of {@value #BATCH} at a time as the relay sends them (CloudEvents of about 400 bytes):
 * {@code publish} is the transport alone (pipelined XADD with a cap; JetStream async publishes with their acks), and
 * {@code relay} one relay round: read the unsent rows from an H2 outbox, publish them, move them into the history.
 *
 * <p>Reference: the brokers' own tools on the same machine, such as
 * {@code redis-benchmark -P 256 -n 200000 XADD bench MAXLEN ~ 1000000 '*' event <400 bytes>}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class RelayThroughputBenchmark {
    static final int BATCH = 256;

    @Param({"redis", "nats"})
    String bus;

    EventTransport transport;
    JdbcStore store;
    OutboxRelay relay;
    List<EventTransport.Message> messages;
    List<CloudEvent> events;

    @Setup
    public void setUp() throws Exception {
        String name = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        Map<String, String> settings = bus.equals("redis")
                ? Map.of("stream", "code-bench-" + name, "maxLength", "100000")
                : Map.of("stream", "CODE_BENCH_" + name, "subject", "code.bench." + name, "maxMessages", "100000");
        transport = ServiceLoader.load(EventBusProvider.class).stream().map(ServiceLoader.Provider::get).filter(p -> p
                .name().equals(bus)).findFirst().orElseThrow().open(settings);
        store = JdbcStore.open(StoreConfig.h2File(Files.createTempDirectory("code-relay").resolve("code-db")),
                new H2StoreProvider(), Clock.systemUTC(), null, List.of(JdbcStore.MIGRATIONS));
        relay = new OutboxRelay(store.outbox(), store.leases(), transport, "bench", Clock.systemUTC(),
                new OutboxRelay.Settings(Duration.ofSeconds(10), Duration.ofMillis(100), BATCH),
                new SimpleMeterRegistry());
        messages = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            String id = UUID.randomUUID().toString();
            messages.add(new EventTransport.Message(id, CloudEvent.STEP_STATE_CHANGED, ("{\"specversion\":\"1.0\","
                    + "\"id\":\"" + id + "\",\"source\":\"/code/12345@host/1733000000000/abcdef12\",\"type\":\""
                    + CloudEvent.STEP_STATE_CHANGED + "\",\"subject\":\"" + id + "\",\"time\":\""
                    + Instant.now() + "\",\"datacontenttype\":\"application/json\",\"data\":{\"message\":\"attempt "
                    + "1\",\"run\":\"" + id + "\",\"service\":\"api\",\"state\":\"CHECKING_HEALTH\"}}")));
        }
    }

    /** Fresh events in the outbox for the next relay round; not measured. */
    @Setup(Level.Invocation)
    public void fillOutbox() {
        if (events == null) {
            events = new ArrayList<>(BATCH);
        }
        events.clear();
        Instant now = Instant.now();
        for (int i = 0; i < BATCH; i++) {
            String id = UUID.randomUUID().toString();
            events.add(new CloudEvent(id, "/code/bench", CloudEvent.STEP_STATE_CHANGED, id, now, Map.of("run", id,
                    "service", "api", "state", "CHECKING_HEALTH", "message", "attempt 1")));
        }
        store.outbox().append(events);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int publish() {
        transport.publish(messages);
        return messages.size();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int relay() {
        int sent = 0;
        while (sent < BATCH) {
            sent += relay.relayOnce();
        }
        return sent;
    }

    @TearDown
    public void tearDown() {
        relay.close();
        transport.close();
        store.close();
    }
}
