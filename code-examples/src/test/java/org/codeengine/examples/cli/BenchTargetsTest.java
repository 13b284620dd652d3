package org.codeengine.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** JMH's JSON results read against the benchmarks' targets. */
class BenchTargetsTest {
    private static final String JMH = """
            [
             {"benchmark": "org.codeengine.benchmarks.orchestrator.PlannerBenchmark.plan", "mode": "avgt",
              "params": {"services": "10000", "edgesPerService": "5"},
              "primaryMetric": {"score": 12.5, "scoreUnit": "ms/op"}},
             {"benchmark": "org.codeengine.benchmarks.experts.ConsensusBenchmark.decide", "mode": "sample",
              "params": {"replies": "64", "strategy": "medoid"},
              "primaryMetric": {"score": 900.0, "scoreUnit": "us/op", "scorePercentiles": {"50.0": 1200.0}}},
             {"benchmark": "org.codeengine.benchmarks.security.PermissionCheckBenchmark.denied", "mode": "thrpt",
              "primaryMetric": {"score": 25000000.0, "scoreUnit": "ops/s"}},
             {"benchmark": "org.codeengine.benchmarks.orchestrator.DagBaselineBenchmark.deploy", "mode": "avgt",
              "primaryMetric": {"score": 3.0, "scoreUnit": "ms/op"}}
            ]
            """;

    @Test
    void eachResult_isReadAgainstItsTarget_percentilesWhereTheTargetNamesOne() {
        List<BenchTargets.Result> results = BenchTargets.read(Output.JSON.readTree(JMH));

        assertThat(results).hasSize(4);
        assertThat(results.get(0).met()).isTrue();
        assertThat(results.get(0).target().what()).contains("20 ms");
        assertThat(results.get(1).score()).as("the median, not the mean").isEqualTo(1200.0);
        assertThat(results.get(1).met()).isFalse();
        assertThat(results.get(1).name()).isEqualTo("ConsensusBenchmark.decide p50 {replies=64,strategy=medoid}");
        assertThat(results.get(2).met()).as("a rate must be at least its target").isTrue();
        assertThat(results.get(3).target()).isNull();
        assertThat(results.get(3).met()).isTrue();
    }

    @Test
    void bench_withoutItsJar_exitsTwo_sayingHowToBuildIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home) {
        Cli.Result r = new Cli(home).run("bench", "--jar", home.resolve("none.jar").toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("no benchmarks jar at").contains("mvn -pl code-benchmarks");
    }
}
