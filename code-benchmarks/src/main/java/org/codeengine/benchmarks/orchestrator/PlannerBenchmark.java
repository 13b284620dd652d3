package org.codeengine.benchmarks.orchestrator;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.Plan;
import org.codeengine.core.internal.orchestrator.Planner;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Planning (validation, topological layers, phases cut by parallelism and capacity) of a generated DAG.
 *
 * <p>Target (issue 3): 10,000 services and 50,000 edges in at most 20 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class PlannerBenchmark {
    @Param({"10000"})
    int services;

    @Param({"5"})
    int edgesPerService;

    DeploymentSpec spec;
    Planner planner;

    @Setup
    public void setUp() {
        spec = Dags.random(services, edgesPerService, 42);
        planner = new Planner(Map.of("noop", new Dags.NoopExecutor()), Map.of());
        if (Dags.edges(spec) < services * edgesPerService - edgesPerService * edgesPerService) {
            throw new IllegalStateException("generated too few edges: " + Dags.edges(spec));
        }
    }

    @Benchmark
    public Plan plan() {
        return planner.plan(spec);
    }
}
