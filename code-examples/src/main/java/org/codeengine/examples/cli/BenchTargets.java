package org.codeengine.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The figures CODE's benchmarks are meant to reach (each suite's javadoc states its own), and JMH's JSON results read
 * against them.
 */
final class BenchTargets {
    /**
     * A figure to reach.
     *
     * @param benchmark the benchmark's name from its class on ({@code PlannerBenchmark.plan}); a prefix
     * @param params the parameters it applies to; empty for all
     * @param percentile a percentile of the sampled times ({@code 50.0}), or null for the score
     * @param atMost whether the result must be at most (a time) or at least (a rate) the value
     * @param value the figure, in the benchmark's own unit
     * @param what the figure measured and its target, in words
     */
    record Target(String benchmark, Map<String, String> params, @Nullable String percentile, boolean atMost,
            double value, String what) {}

    /**
     * One benchmark result, with the target it was read against.
     *
     * @param name the benchmark, from its class on, with its parameters
     * @param score the figure (the percentile when the target names one)
     * @param unit JMH's unit
     * @param target the target, or null when the benchmark has none of its own
     */
    record Result(String name, double score, String unit, @Nullable Target target) {
        /** {@return whether the target was met; true when there is none} */
        boolean met() {
            return target == null || (target.atMost() ? score <= target.value() : score >= target.value());
        }
    }

    static final List<Target> TARGETS = List.of(new Target("PlannerBenchmark.plan", Map.of(), null, true, 20,
            "plan time ≤ 20 ms for 10,000 services, 50,000 edges"),
            new Target("ConsensusBenchmark.decide", Map.of(
                    "replies", "5"), "50.0", true, 20, "consensus time, median ≤ 20 µs over 5 replies"),
            new Target(
                    "ConsensusBenchmark.decide", Map.of("replies", "64"), "50.0", true, 1000,
                    "consensus time, median ≤ 1 ms over 64 replies"),
            new Target("PermissionCheckBenchmark.",
                    Map.of(), null, false, 10_000_000, "permission checks ≥ 10 M/s per core"),
            new Target("AuditAppendBenchmark.", Map.of("store", "h2"), null, false, 20_000,
                    "audit appends ≥ 20,000/s on H2"),
            new Target("SchedulingBenchmark.deploy", Map.of("store",
                    "memory"), null, true, 10, "scheduling time ≤ 10 µs per step: 1,000 steps ≤ 10 ms"),
            new Target("SchedulingBenchmark.deploy", Map.of("store", "h2"), null, true, 100.1,
                    "run state transitions ≥ 20,000/s on H2: 2,002 ≤ 100 ms"),
            new Target(
                    "SchedulingBenchmark.deploy", Map.of("store", "postgres"), null, true, 400.4,
                    "run state transitions ≥ 5,000/s on PostgreSQL: 2,002 ≤ 400 ms"));

    private BenchTargets() {}

    /**
     * @param jmh the JSON JMH wrote with {@code -rf json}
     * @return each result with its target
     */
    static List<Result> read(JsonNode jmh) {
        List<Result> results = new ArrayList<>();
        for (JsonNode run : jmh) {
            String full = run.path("benchmark").asString();
            String[] parts = full.split("\\.");
            String name = parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : full;
            Map<String, String> params = new java.util.TreeMap<>();
            run.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asString()));
            Target target = TARGETS.stream().filter(t -> name.startsWith(t.benchmark()) && t.params().entrySet()
                    .stream().allMatch(e -> e.getValue().equals(params.get(e.getKey())))).findFirst().orElse(null);
            JsonNode metric = run.path("primaryMetric");
            double score = target != null && target.percentile() != null && metric.path("scorePercentiles").has(
                    target.percentile())
                            ? metric.path("scorePercentiles").path(target.percentile()).asDouble()
                            : metric.path("score").asDouble();
            String label = name + (target != null && target.percentile() != null
                    ? " p" + target.percentile().replace(".0", "")
                    : "") + (params.isEmpty() ? "" : " " + params).replace(", ", ",");
            results.add(new Result(label, score, metric.path("scoreUnit").asString(), target));
        }
        return results;
    }

    static String format(double value) {
        return value >= 1000 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.3f", value);
    }
}
