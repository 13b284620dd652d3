package org.codeengine.benchmarks.kernels;

import java.io.File;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns the JSON results of the kernel suites ({@code -rf json}) into the figures the suites are judged by: GFLOP/s
 * and GB/s computed from the measured time, next to the machine limits and the targets of issue 8.
 *
 * <pre>
 * java -cp code-benchmarks/target/benchmarks.jar org.codeengine.benchmarks.kernels.KernelFigures results.json \
 *     [peakGflops dramGBs dotL1ns]
 * </pre>
 *
 * The limits default to those issue 8 quotes for AMD Zen 5 (274 GFLOP/s, 42 GB/s, 15 ns); pass the ones
 * {@code code-benchmarks/limits/run.sh} measures on the machine at hand.
 */
public final class KernelFigures {
    private KernelFigures() {}

    /**
     * @param args the JSON file, then optionally the FMA peak of one core (GFLOP/s), its DRAM read bandwidth (GB/s)
     *        and the C time of a dot product of 1024 floats from L1 (ns)
     */
    public static void main(String[] args) {
        if (args.length != 1 && args.length != 4) {
            System.err.println("usage: KernelFigures results.json [peakGflops dramGBs dotL1ns]");
            System.exit(2);
        }
        double peak = args.length == 4 ? Double.parseDouble(args[1]) : 274;
        double dram = args.length == 4 ? Double.parseDouble(args[2]) : 42;
        double dotL1 = args.length == 4 ? Double.parseDouble(args[3]) : 15;
        System.out.printf(Locale.ROOT, "limits: FMA peak %.1f GFLOP/s per core, DRAM read %.1f GB/s, dot D=1024 "
                + "from L1 %.1f ns%n", peak, dram, dotL1);
        JsonNode results = JsonMapper.builder().build().readTree(new File(args[0]));
        Map<String, Double> javaTimes = new HashMap<>();
        for (JsonNode r : results) {
            if ("java".equals(r.path("params").path("impl").asString(""))) {
                javaTimes.put(key(r), r.path("primaryMetric").path("score").asDouble());
            }
        }
        for (JsonNode r : results) {
            System.out.println(line(r, javaTimes, peak, dram, dotL1));
        }
    }

    private static String key(JsonNode r) {
        JsonNode p = r.path("params");
        StringBuilder key = new StringBuilder(r.path("benchmark").asString());
        p.properties().forEach(e -> {
            if (!e.getKey().equals("impl")) {
                key.append(' ').append(e.getKey()).append('=').append(e.getValue().asString());
            }
        });
        return key.toString();
    }

    private static String line(JsonNode r, Map<String, Double> javaTimes, double peak, double dram, double dotL1) {
        String benchmark = r.path("benchmark").asString();
        String name = benchmark.substring(benchmark.lastIndexOf('.', benchmark.lastIndexOf('.') - 1) + 1);
        JsonNode p = r.path("params");
        String impl = p.path("impl").asString("-");
        double score = r.path("primaryMetric").path("score").asDouble();
        double error = r.path("primaryMetric").path("scoreError").asDouble();
        String unit = r.path("primaryMetric").path("scoreUnit").asString();
        double seconds = score * switch (unit) {
            case "ns/op" -> 1e-9;
            case "us/op" -> 1e-6;
            case "ms/op" -> 1e-3;
            default -> 1;
        };
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-34s %-7s %-28s %10.3f ± %.3f %s", name,
                impl, key(r).substring(benchmark.length()).strip(), score, error, unit));
        Double java = javaTimes.get(key(r));
        if (java != null && !impl.equals("java")) {
            line.append(String.format(Locale.ROOT, "  java/this %.1fx", java / score));
        }
        switch (name) {
            case "DotBenchmark.dot" -> {
                int dims = p.path("dims").asInt();
                line.append(String.format(Locale.ROOT, "  %.1f GFLOP/s, %.1f GB/s from L1; C limit/this %.2f",
                        2.0 * dims / seconds / 1e9, 8.0 * dims / seconds / 1e9, dotL1 * dims / 1024 / (seconds
                                * 1e9)));
                double target = impl.equals("native") ? 20 : impl.equals("vector") ? 35 : 0;
                if (target > 0 && dims == 1024 && p.path("offset").asInt() == 0) {
                    line.append(String.format(Locale.ROOT, "; target <= %.0f ns: %s", target, score <= target
                            ? "met"
                            : "not met"));
                }
            }
            case "ScoresBenchmark.scores", "ScoresBenchmark.topK" -> {
                int dims = p.path("dims").asInt();
                long stride = (dims + 15) / 16 * 16;
                double gbs = 4.0 * p.path("rows").asInt() * stride / seconds / 1e9;
                line.append(String.format(Locale.ROOT, "  %.1f GB/s = %.0f%% of DRAM read; target >= 80%%: %s",
                        gbs, 100 * gbs / dram, gbs >= 0.8 * dram ? "met" : "not met"));
            }
            case "MatrixBenchmark.oneCore", "MatrixBenchmark.twoCores" -> {
                double n = p.path("n").asInt();
                double gflops = 2 * n * n * p.path("dims").asInt() / seconds / 1e9;
                int cores = name.endsWith("twoCores") ? 2 : 1;
                line.append(String.format(Locale.ROOT, "  %.1f GFLOP/s = %.0f%% of the FMA peak of %d core%s%s",
                        gflops, 100 * gflops / (peak * cores), cores, cores == 1 ? "" : "s", cores == 1
                                ? "; target >= 50%: " + (gflops >= 0.5 * peak ? "met" : "not met")
                                : ""));
            }
            case "DowncallBenchmark.emptyCriticalCall" -> line.append("  target < 5 ns: " + (score < 5
                    ? "met"
                    : "not met"));
            default -> {
            }
        }
        return line.toString();
    }
}
