package org.codeengine.benchmarks.security;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.security.AuditEntry;
import org.codeengine.benchmarks.BenchStores;
import org.codeengine.core.internal.store.AuditLog;
import org.codeengine.core.internal.store.JdbcStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Durable audit appends, hash chain and all, with group commit: 1,000 appends are queued at once and the operation
 * ends when every one is committed. Reported per append. The log signs a checkpoint every 1,000 entries, as a running
 * CODE does. The chain is verified intact at the end of the trial.
 *
 * <p>Target (issue 7): at least 20,000 appends per second on H2 with batching. Issue 25: the rate does not fall with
 * the log's length ({@code history}: entries already in the log), for a checkpoint reads only the entries since the
 * last one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
public class AuditAppendBenchmark {

    @Param({"h2", "postgres"})
    String store;

    @Param({"0", "100000"})
    int history;

    JdbcStore jdbc;
    BenchStores opened;

    @Setup
    public void setUp() throws Exception {
        opened = BenchStores.open(store, "code-audit");
        jdbc = opened.jdbc();
        KeyPair keys = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        jdbc.audit().signWith(new AuditLog.Signer("bench", keys.getPrivate(), keys.getPublic()));
        for (int done = 0; done < history; done += 1000) {
            append1000();
        }
    }

    @Benchmark
    @OperationsPerInvocation(1000)
    public long append1000() {
        CompletableFuture<?>[] appends = new CompletableFuture<?>[1000];
        for (int i = 0; i < appends.length; i++) {
            appends[i] = jdbc.audit().appendAsync("bench", "tool:call:search", "t" + i, AuditEntry.Outcome.SUCCESS,
                    "query " + i);
        }
        CompletableFuture.allOf(appends).join();
        return appends.length;
    }

    @TearDown
    public void tearDown() throws Exception {
        if (!jdbc.audit().verify().intact()) {
            throw new IllegalStateException("the audit chain broke under load");
        }
        opened.close();
    }
}
