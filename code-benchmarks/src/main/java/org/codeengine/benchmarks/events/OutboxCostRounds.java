package org.codeengine.benchmarks.events;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.codeengine.api.events.CloudEvent;
import org.codeengine.api.orchestrator.RunState;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.orchestrator.StepState;
import org.codeengine.benchmarks.BenchStores;
import org.codeengine.core.internal.store.JdbcStore;
import org.codeengine.core.internal.store.Outbox;
import org.codeengine.core.internal.store.RunRecord;

/**
 * {@link OutboxCostBenchmark}'s step write, measured in interleaved blocks instead of JMH trials (not JMH): one JVM, two
 * fresh stores of the same kind, blocks of step writes without the event and with it taking turns (the order swapped
 * every round), so that both meet the same machine load; prints each round and the median of the ratios outbox / none,
 * with the bytes per step write as {@link OutboxCostBenchmark} counts them. The first round warms up and is not counted.
 *
 * <p>On a loaded machine the wall times are mostly waits for a core, so each block also counts the CPU a step write
 * took: the writing thread's, and on PostgreSQL that of the server processes serving this JVM's connections (their
 * {@code /proc/<pid>/schedstat}, the server being on this machine); the median ratio of that sum is printed too. It
 * leaves out what neither side computes: the wait for the disk's flush of the commit, one per write on both sides.
 *
 * <p>With no relay running the outbox only grows, as it does while the relay is down: the worst case, measured by
 * default. A running relay keeps it near empty, which matters on H2, whose every commit rewrites the outbox's last
 * B-tree page (copy on write): the longer the queue, the fuller that page. With a drain interval the benchmark moves the
 * queue into the history every so many writes, as a relay that lags that far behind would, outside the timed spans.
 *
 * <p>Arguments: {@code h2|postgres} [writes per block, default 60] [rounds, default 4] [drain every so many writes,
 * default 0: never].
 */
public final class OutboxCostRounds {
    private OutboxCostRounds() {}

    /** Runs the rounds; see the class javadoc for the arguments. */
    public static void main(String[] args) throws Exception {
        RoundsArgs parsed = RoundsArgs.parse(args, 60, 4, "drain every");
        String store = parsed.store();
        int writes = parsed.writes();
        int rounds = parsed.rounds();
        String drainArg = parsed.extra(0);
        int drain = drainArg != null ? RoundsArgs.atLeast("drain every", drainArg, 0) : 0;
        int span = drain > 0 ? drain : writes;
        List<OutboxCostBenchmark> sides = new ArrayList<>();
        for (String events : List.of("none", "outbox")) {
            OutboxCostBenchmark side = new OutboxCostBenchmark();
            side.store = store;
            side.events = events;
            side.setUp();
            sides.add(side);
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<Double> ratios = new ArrayList<>();
        List<Double> cpuRatios = new ArrayList<>();
        try {
            for (int round = 0; round <= rounds; round++) {
                double[] micros = new double[2];
                double[] client = new double[2];
                double[] server = new double[2];
                long[] bytes = new long[2];
                for (int k = 0; k < 2; k++) {
                    int i = round % 2 == 0 ? k : 1 - k;
                    OutboxCostBenchmark side = sides.get(i);
                    List<Long> backends = store.equals("postgres") ? backends() : List.of();
                    long nanos = 0;
                    long cpu = 0;
                    long serverCpu = 0;
                    long written = 0;
                    for (int done = 0; done < writes; done += span) {
                        long before = side.bytesWritten();
                        long serverStart = cpuNanos(backends);
                        long cpuStart = threads.getCurrentThreadCpuTime();
                        long start = System.nanoTime();
                        for (int w = done; w < Math.min(writes, done + span); w++) {
                            if (!side.stepWrite()) {
                                throw new IllegalStateException("a step write was refused: the lease is lost");
                            }
                        }
                        nanos += System.nanoTime() - start;
                        cpu += threads.getCurrentThreadCpuTime() - cpuStart;
                        serverCpu += cpuNanos(backends) - serverStart;
                        written += side.bytesWritten() - before;
                        if (drain > 0) { // as a relay would, outside the timed span
                            Outbox outbox = side.jdbc.outbox();
                            outbox.published(outbox.unsent(10_000).stream().map(Outbox.Row::seq).toList(), Instant
                                    .now());
                        }
                    }
                    micros[i] = nanos / 1e3 / writes;
                    client[i] = cpu / 1e3 / writes;
                    server[i] = serverCpu / 1e3 / writes;
                    bytes[i] = written / writes;
                }
                if (round > 0) {
                    ratios.add(micros[1] / micros[0]);
                    double cpuRatio = (client[1] + server[1]) / (client[0] + server[0]);
                    cpuRatios.add(cpuRatio);
                    System.out.printf("%s round %d: none %.0f µs, outbox %.0f µs, outbox / none %.2f; bytes per write"
                            + " %d, %d; CPU per write (client + server) none %.0f + %.0f µs, outbox %.0f + %.0f µs,"
                            + " outbox / none %.2f%n", store, round, micros[0], micros[1], micros[1] / micros[0],
                            bytes[0], bytes[1], client[0], server[0], client[1], server[1], cpuRatio);
                }
            }
        } finally {
            for (OutboxCostBenchmark side : sides) {
                side.opened.close(); // not tearDown(): its bytes since the setup would count the other side's too
            }
        }
        System.out.printf("%s median outbox / none over %d rounds%s: %.2f (CPU: %.2f)%n", store, ratios.size(),
                drain > 0 ? ", the outbox drained every " + drain + " writes" : "", median(ratios), median(cpuRatios));
    }

    /** {@return the median of the values, of which there is at least one} */
    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /**
     * {@return the process ids of the PostgreSQL server processes serving this JVM's connections: those whose client
     * port is the local port of one of this process's TCP sockets}
     */
    static List<Long> backends() throws Exception {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException closed) {
                    // closed meanwhile
                }
            }
        }
        List<Integer> ports = new ArrayList<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path file = Path.of(table);
            if (Files.isReadable(file)) {
                for (String line : Files.readAllLines(file).stream().skip(1).toList()) {
                    String[] f = line.strip().split("\\s+");
                    if (f.length > 9 && inodes.contains(f[9])) {
                        ports.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16));
                    }
                }
            }
        }
        List<Long> pids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(BenchStores.PG, "postgres", null);
                PreparedStatement s = c.prepareStatement(
                        "select pid from pg_stat_activity where client_port = any(?)")) {
            s.setArray(1, c.createArrayOf("int4", ports.toArray(Integer[]::new)));
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    pids.add(r.getLong(1));
                }
            }
        }
        return pids;
    }

    /** {@return the CPU time, in nanoseconds, the processes have run so far (0 for one gone or unreadable)} */
    static long cpuNanos(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            try {
                sum += Long.parseLong(Files.readString(Path.of("/proc/" + pid + "/schedstat")).strip().split(" ")[0]);
            } catch (IOException | RuntimeException gone) {
                // ended, or not this machine's
            }
        }
        return sum;
    }
}
