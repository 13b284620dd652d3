package org.codeengine.benchmarks.orchestrator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.codeengine.api.ApiVersion;
import org.codeengine.api.orchestrator.DeploymentSpec;
import org.codeengine.api.orchestrator.Resources;
import org.codeengine.api.orchestrator.RetryPolicy;
import org.codeengine.api.orchestrator.Rollout;
import org.codeengine.api.orchestrator.ServiceSpec;
import org.codeengine.api.orchestrator.StepRecord;
import org.codeengine.api.spi.StepContext;
import org.codeengine.api.spi.StepExecutor;
import org.codeengine.api.spi.StepHandle;

/** Generated deployments for the orchestrator benchmarks, and an executor that does nothing. */
final class Dags {
    private Dags() {}

    /**
     * A random DAG: each service depends on up to {@code edgesPerService} distinct earlier services, so it has about
     * {@code services * edgesPerService} edges and no cycle.
     */
    static DeploymentSpec random(int services, int edgesPerService, long seed) {
        Random random = new Random(seed);
        List<ServiceSpec> specs = new ArrayList<>(services);
        for (int i = 0; i < services; i++) {
            Set<String> deps = new HashSet<>();
            int want = Math.min(i, edgesPerService);
            while (deps.size() < want) {
                deps.add(name(random.nextInt(i)));
            }
            specs.add(service(name(i), deps));
        }
        return new DeploymentSpec("generated", "bench", specs, 1_000_000, Resources.UNLIMITED);
    }

    /** {@code layers} layers of {@code width} services; each depends on two services of the layer before. */
    static DeploymentSpec layered(int layers, int width) {
        List<ServiceSpec> specs = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int w = 0; w < width; w++) {
                Set<String> deps = l == 0
                        ? Set.of()
                        : Set.of(name((l - 1) * width + w), name((l - 1) * width
                                + (w + 1) % width));
                specs.add(service(name(l * width + w), deps));
            }
        }
        return new DeploymentSpec("layered", "bench", specs, layers * width, Resources.UNLIMITED);
    }

    static int edges(DeploymentSpec spec) {
        return spec.services().stream().mapToInt(s -> s.dependsOn().size()).sum();
    }

    private static ServiceSpec service(String name, Set<String> deps) {
        return new ServiceSpec(name, deps, Resources.NONE, "noop", Map.of(), null, RetryPolicy.NONE, Duration
                .ofMinutes(1), Rollout.ALL_AT_ONCE, 1);
    }

    static String name(int i) {
        return "s" + i;
    }

    /** Starts nothing and records nothing: what is left to measure is the orchestrator itself. */
    static final class NoopExecutor implements StepExecutor {
        private static final StepHandle STARTED = new StepHandle() {
            @Override
            public void awaitStarted(Duration timeout) {}

            @Override
            public boolean alive() {
                return true;
            }

            @Override
            public void cancel() {}
        };

        @Override
        public String name() {
            return "noop";
        }

        @Override
        public String apiVersion() {
            return ApiVersion.CURRENT;
        }

        @Override
        public StepHandle start(String service, Map<String, String> settings, StepContext context) {
            return STARTED;
        }

        @Override
        public void undo(StepRecord record, StepContext context) {}
    }
}
