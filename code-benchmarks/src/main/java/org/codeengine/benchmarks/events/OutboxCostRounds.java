package org.codeengine.benchmarks.events;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.benchmarks.BenchStores;
import org.codeengine.core.internal.store.JdbcStore;
import org.codeengine.core.internal.store.RunRecord;

/**
 * {@link OutboxCostBenchmark}'s step write, measured in interleaved blocks instead of JMH trials (not JMH): one JVM, two
 * fresh stores of the same kind, blocks of step writes without the event and with it taking turns (the order swapped
 * every round), so that both meet the same machine load; prints each round and the median of the ratios outbox / none,
 * with the bytes per step write as {@link OutboxCostBenchmark} counts them. The first round warms up and is not counted.
 *
 * <p>Arguments: {@code h2|postgres} [writes per block, default 60] [rounds, default 4].
 */
public final class OutboxCostRounds {
    private OutboxCostRounds() {}

    /** Runs the rounds; see the class javadoc for the arguments. */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 3) {
            throw new IllegalArgumentException("arguments: h2|postgres [writes per block] [rounds]");
        }
        String store = args[0];
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        List<OutboxCostBenchmark> sides = new ArrayList<>();
        for (String events : List.of("none", "outbox")) {
            OutboxCostBenchmark side = new OutboxCostBenchmark();
            side.store = store;
            side.events = events;
            side.setUp();
            sides.add(side);
        }
        List<Double> ratios = new ArrayList<>();
        try {
            for (int round = 0; round <= rounds; round++) {
                double[] micros = new double[2];
                long[] bytes = new long[2];
                for (int k = 0; k < 2; k++) {
                    int i = round % 2 == 0 ? k : 1 - k;
                    OutboxCostBenchmark side = sides.get(i);
                    long before = side.bytesWritten();
                    long start = System.nanoTime();
                    for (int w = 0; w < writes; w++) {
                        if (!side.stepWrite()) {
                            throw new IllegalStateException("a step write was refused: the lease is lost");
                        }
                    }
                    micros[i] = (System.nanoTime() - start) / 1e3 / writes;
                    bytes[i] = (side.bytesWritten() - before) / writes;
                }
                if (round > 0) {
                    ratios.add(micros[1] / micros[0]);
                    System.out.printf("%s round %d: none %.0f µs, outbox %.0f µs, outbox / none %.2f; bytes per write"
                            + " %d, %d%n", store, round, micros[0], micros[1], micros[1] / micros[0], bytes[0],
                            bytes[1]);
                }
            }
        } finally {
            for (OutboxCostBenchmark side : sides) {
                side.opened.close(); // not tearDown(): its bytes since the setup would count the other side's too
            }
        }
        Collections.sort(ratios);
        int n = ratios.size();
        double median = n % 2 == 1 ? ratios.get(n / 2) : (ratios.get(n / 2 - 1) + ratios.get(n / 2)) / 2;
        System.out.printf("%s median outbox / none over %d rounds: %.2f%n", store, n, median);
    }
}
